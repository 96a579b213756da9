/** @packageDocumentation The GridLedger chaincode: every contract the `gridledger` definition serves. */
import { AccountsContract } from './contracts/accounts-contract';
import { BaselineContract } from './contracts/baseline-contract';
import { ChannelContract } from './contracts/channel-contract';
import { GuarantorContract } from './contracts/guarantor-contract';
import { KgcContract } from './contracts/kgc-contract';
import { LoanContract } from './contracts/loan-contract';
import { MarketContract } from './contracts/market-contract';
import { ParamsContract } from './contracts/params-contract';
import { PoolContract } from './contracts/pool-contract';

export { AccountsContract, BaselineContract, GuarantorContract, LoanContract, ParamsContract, PoolContract };
export { ChannelContract, KgcContract };
export { MarketContract };
export const contracts = [ParamsContract, AccountsContract, GuarantorContract, PoolContract, LoanContract, BaselineContract, KgcContract, ChannelContract, MarketContract];
