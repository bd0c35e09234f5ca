export { waitsFor } from '../../lib/pulumi/plan';
