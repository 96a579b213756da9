/**
 * Every route module. Adding an endpoint: document the operation in `openapi/document.ts`, write a
 * module with `defineOperation` (same operationId and roles), and list it here. The router refuses
 * to start if the two disagree.
 */
import type { OperationModule } from '../http/operation';
import { streamEvents } from './events';
import { lendingOperations } from './lending';
import { marketOperations } from './market';
import { channelOperations } from './channels';
import { consoleOperations } from './console';
import { getDocs, getHealth, getMetrics, getOpenApi, getReadiness } from './operations';
import { getLendingParams, getLendingParamsHistory, setLendingParams } from './params';
import { getTransaction } from './transactions';

export const allOperations: OperationModule[] = [
  getHealth,
  getReadiness,
  getMetrics,
  getOpenApi,
  getDocs,
  getLendingParams,
  setLendingParams,
  getLendingParamsHistory,
  getTransaction,
  streamEvents,
  ...lendingOperations,
  ...marketOperations,
  ...channelOperations,
  ...consoleOperations,
];
