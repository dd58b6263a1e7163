namespace AgentFunctions.Contract.Tests.Support;

/// <summary>The contract tests share one pair of engines.</summary>
[CollectionDefinition(Name)]
public sealed class ContractCollection : ICollectionFixture<BothEngines>
{
    public const string Name = "Both engines";
}
