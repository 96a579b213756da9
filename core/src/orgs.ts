/** The consortium's peer organisations, by MSP id. */
export const Orgs = {
  Utility: 'UtilityMSP',
  GuarantorA: 'GuarantorAMSP',
  GuarantorB: 'GuarantorBMSP',
  Operator: 'OperatorMSP',
} as const;

export type OrgMsp = (typeof Orgs)[keyof typeof Orgs];

export const ALL_ORGS: readonly OrgMsp[] = Object.values(Orgs);

export const GUARANTOR_ORGS: readonly OrgMsp[] = [Orgs.GuarantorA, Orgs.GuarantorB];

export function isOrgMsp(value: string): value is OrgMsp {
  return (ALL_ORGS as readonly string[]).includes(value);
}

/** The channel and chaincode names every component agrees on. */
export const CHANNEL_NAME = 'energy';
export const CHAINCODE_NAME = 'gridledger';
