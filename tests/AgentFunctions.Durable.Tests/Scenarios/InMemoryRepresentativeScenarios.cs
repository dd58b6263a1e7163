using AgentFunctions.Durable.Tests.Support;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>The representative scenarios on DurableTask.Core's in-memory backend.</summary>
public sealed class InMemoryRepresentativeScenarios(InMemoryEngine engine) : RepresentativeScenarios(engine), IClassFixture<InMemoryEngine>;
