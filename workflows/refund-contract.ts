/** The refund workflow's id, from its business key: one refund per order. */
export const refundWorkflowId = (orderId: string) => `refund:${orderId}`;
