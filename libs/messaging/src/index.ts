export * from './nats-connection';
export * from './streams';
export { shareCancelledRequestError } from './request-cancel';
