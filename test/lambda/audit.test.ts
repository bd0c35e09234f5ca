import { createHash } from 'node:crypto';
import { canonicalJson, inputSha256, promptSha256 } from '../../lambda/invoke/audit';
import { InvokerError } from '../../lambda/invoke/errors';
import { readScreening, summarizeGuardrail } from '../../lambda/invoke/guardrail';

describe('canonicalJson', () => {
  test('sorts keys at every depth and drops whitespace', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 'x' }], a: { d: null, c: true } })).toBe('{"a":{"c":true,"d":null},"b":[{"a":"x","z":1}]}');
  });

  test('leaves out undefined members, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  test('escapes strings exactly as JSON.stringify does', () => {
    const text = 'quote " backslash \\ newline \n emoji \u{1F600} control \u0001';
    expect(canonicalJson({ text })).toBe(`{"text":${JSON.stringify(text)}}`);
  });
});

describe('promptSha256', () => {
  const messages = [{ role: 'user' as const, content: [{ text: 'hello' }] }];

  test('hashes the canonical JSON of messages and system', () => {
    const expected = createHash('sha256').update('{"messages":[{"content":[{"text":"hello"}],"role":"user"}],"system":[{"text":"s"}]}').digest('hex');
    expect(promptSha256([{ text: 's' }], messages)).toBe(expected);
  });

  test('leaves system out when there is none', () => {
    const expected = createHash('sha256').update('{"messages":[{"content":[{"text":"hello"}],"role":"user"}]}').digest('hex');
    expect(promptSha256(undefined, messages)).toBe(expected);
  });

  test('differs when any text differs', () => {
    expect(promptSha256(undefined, messages)).not.toBe(promptSha256(undefined, [{ role: 'user', content: [{ text: 'hello!' }] }]));
  });
});

describe('inputSha256', () => {
  test('hashes the canonical JSON of the texts as a list', () => {
    const expected = createHash('sha256').update('{"input":["a","b"]}').digest('hex');
    expect(inputSha256(['a', 'b'])).toBe(expected);
  });
});

describe('readScreening', () => {
  const $metadata = { requestId: 'guardrail-req-1' };
  const texts = ['one', 'two'];

  test('NONE lets the texts through as they are', () => {
    expect(readScreening({ $metadata, action: 'NONE', outputs: [], assessments: [{}] }, texts)).toEqual({ summary: { action: 'NONE', interventions: [] }, texts });
  });

  test('a block among masks blocks, with the guardrail\'s message', () => {
    const screening = readScreening(
      {
        $metadata,
        action: 'GUARDRAIL_INTERVENED',
        outputs: [{ text: 'Blocked.' }],
        assessments: [
          { sensitiveInformationPolicy: { piiEntities: [{ type: 'EMAIL', match: 'a@b.example', action: 'ANONYMIZED' }], regexes: [] } },
          { topicPolicy: { topics: [{ name: 'Investment advice', type: 'DENY', action: 'BLOCKED' }] } },
        ],
      },
      texts,
    );

    expect(screening).toEqual({
      summary: {
        action: 'INTERVENED',
        interventions: [
          { source: 'input', policy: 'sensitiveInformationPolicy', type: 'EMAIL', action: 'ANONYMIZED' },
          { source: 'input', policy: 'topicPolicy', type: 'Investment advice', action: 'BLOCKED' },
        ],
      },
      texts: [],
      blockedMessage: 'Blocked.',
    });
  });

  test('an intervention that names no policy is a block', () => {
    expect(readScreening({ $metadata, action: 'GUARDRAIL_INTERVENED', outputs: [{ text: 'No.' }], assessments: [] }, texts).blockedMessage).toBe('No.');
  });

  test('an action it does not know is a malformed reply', () => {
    expect(() => readScreening({ $metadata, action: 'MAYBE' as never, outputs: [], assessments: [] }, texts)).toThrow(
      expect.objectContaining({ statusCode: 502, upstreamName: 'MalformedReply: action', upstreamRequestId: 'guardrail-req-1' }) as InvokerError,
    );
  });
});

describe('summarizeGuardrail', () => {
  test('NONE without a trace or an intervening stop reason', () => {
    expect(summarizeGuardrail('end_turn', undefined)).toEqual({ action: 'NONE', interventions: [] });
  });

  test('NONE when policies only detected (action NONE)', () => {
    const trace = { guardrail: { inputAssessment: { g: { contentPolicy: { filters: [{ type: 'HATE' as const, confidence: 'LOW' as const, action: 'NONE' as const, detected: true }] } } } } };
    expect(summarizeGuardrail('end_turn', trace).action).toBe('NONE');
  });

  test('INTERVENED from the stop reason alone', () => {
    expect(summarizeGuardrail('guardrail_intervened', undefined).action).toBe('INTERVENED');
  });

  test('lists every acting policy from input and output, without matched text', () => {
    const summary = summarizeGuardrail('guardrail_intervened', {
      guardrail: {
        inputAssessment: {
          g: {
            topicPolicy: { topics: [{ name: 'Investment advice', type: 'DENY', action: 'BLOCKED' }] },
            wordPolicy: { customWords: [{ match: 'project-x', action: 'BLOCKED' }], managedWordLists: [] },
            invocationMetrics: { guardrailProcessingLatency: 10 },
          },
        },
        outputAssessments: { g: [{ sensitiveInformationPolicy: { piiEntities: [], regexes: [{ name: 'employee-id', match: 'E-12345', regex: 'E-\\d+', action: 'ANONYMIZED' }] } }] },
      },
    });

    expect(summary).toEqual({
      action: 'INTERVENED',
      interventions: [
        { source: 'input', policy: 'topicPolicy', type: 'Investment advice', action: 'BLOCKED' },
        { source: 'input', policy: 'wordPolicy', action: 'BLOCKED' },
        { source: 'output', policy: 'sensitiveInformationPolicy', type: 'employee-id', action: 'ANONYMIZED' },
      ],
    });
    expect(JSON.stringify(summary)).not.toMatch(/project-x|E-12345/);
  });

  test('tolerates a trace of the wrong shape', () => {
    const trace = { guardrail: { inputAssessment: { g: null }, outputAssessments: { g: 'x' } } } as never;
    expect(summarizeGuardrail('end_turn', trace)).toEqual({ action: 'NONE', interventions: [] });
  });
});
