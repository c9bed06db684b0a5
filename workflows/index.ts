export { custodyWorkflow } from './custody.workflow';
export { requestApprovalWorkflow } from './request-approval.workflow';
