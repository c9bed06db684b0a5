export { archiveHistoryWorkflow } from './archive.workflow';
export { custodyWorkflow } from './custody.workflow';
export { requestApprovalWorkflow } from './request-approval.workflow';
