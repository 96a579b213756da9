/** @packageDocumentation The GridLedger chaincode: every contract the `gridledger` definition serves. */
import { BaselineContract } from './contracts/baseline-contract';
import { ParamsContract } from './contracts/params-contract';

export { BaselineContract, ParamsContract };
export const contracts = [ParamsContract, BaselineContract];
