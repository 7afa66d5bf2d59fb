// aws-cdk-lib validates templates during synth (~2 s each); unit tests assert on templates directly,
// while `cdk synth` in CI keeps the validator on.
process.env.CDK_VALIDATION ??= 'false';
