export { requestApprovalWorkflow } from './request-approval.workflow';
