/** kafkajs modules not exported by its package entry, loaded by path (platform/clients/kafka-request-queue.ts). */
declare module 'kafkajs/src/network/requestQueue/index.js' {
  const RequestQueue: { prototype: { pending: unknown[]; scheduleCheckPendingRequests(): void } };
  export default RequestQueue;
}
