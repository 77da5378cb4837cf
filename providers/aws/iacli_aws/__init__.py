"""AWS provider for iacli: CloudFormation change sets, SAM, cfn-lint, and the moto-backed sandbox."""
