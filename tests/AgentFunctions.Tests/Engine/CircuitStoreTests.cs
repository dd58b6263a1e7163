using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Engine;
using AgentFunctions.Hosting;
using AgentFunctions.Testing.Azurite;
using AgentFunctions.Tests.Support;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentFunctions.Tests.Engine;

/// <summary>
/// The Functions app's circuit breakers against Azurite: two <see cref="CircuitStore"/>s stand for two instances of
/// the app (each with its own cache) sharing one storage account.
/// </summary>
[Collection(AzuriteFixture.Collection)]
public sealed class CircuitStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly BlobServiceClient _blobs = new(azurite.ConnectionString);
    private readonly ManualTime _time = new(TestApp.Start);
    private readonly string _role = "cb-" + Guid.NewGuid().ToString("N")[..12];

    public Task InitializeAsync() => _blobs.GetBlobContainerClient(StorageNames.ArtifactsContainer).CreateIfNotExistsAsync();

    public Task DisposeAsync() => _blobs.GetBlobContainerClient(StorageNames.ArtifactsContainer).DeleteBlobIfExistsAsync(CircuitStore.PathOf(_role));

    [Fact]
    public async Task A_breaker_opened_by_one_instance_holds_the_attempts_of_another_and_only_one_takes_the_probe()
    {
        var one = Store();
        var two = Store();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(CircuitVerdict.Admitted, (await one.AdmitAsync(_role, default)).Verdict);
            await one.RecordAsync(_role, CircuitOutcome.Failure, probe: false, default);
        }

        // Open: the other instance holds its attempts until the break ends.
        var held = await two.AdmitAsync(_role, default);
        Assert.Equal(CircuitVerdict.Held, held.Verdict);
        Assert.Equal(TestApp.Start + TimeSpan.FromSeconds(30), held.HeldUntil);
        Assert.Equal(held.HeldUntil, await two.HoldsUntilAsync(_role, default));

        // After the break both ask at once: exactly one gets the probe.
        _time.Now += TimeSpan.FromSeconds(31);
        var verdicts = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? one : two).AdmitAsync(_role, default)));
        Assert.Single(verdicts, v => v.Verdict == CircuitVerdict.Probe);
        Assert.Equal(5, verdicts.Count(v => v.Verdict == CircuitVerdict.Held));

        // The probe succeeds on one instance: the other admits again.
        await two.RecordAsync(_role, CircuitOutcome.Success, probe: true, default);
        Assert.Equal(CircuitVerdict.Admitted, (await one.AdmitAsync(_role, default)).Verdict);
        var states = await one.ReadAllAsync(default);
        Assert.Equal(CircuitStatus.Closed, states[_role].Status);
        Assert.Equal(1, states[_role].Openings);
    }

    [Fact]
    public async Task Permanent_failures_do_not_open_the_breaker()
    {
        var store = Store();
        for (var i = 0; i < 8; i++)
        {
            await store.RecordAsync(_role, CircuitOutcome.Ignored, probe: false, default);
        }

        Assert.Equal(CircuitVerdict.Admitted, (await Store().AdmitAsync(_role, default)).Verdict);
    }

    private CircuitStore Store()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"Roles:{_role}:Runner"] = "remote",
            [$"Roles:{_role}:CircuitBreaker:MinimumThroughput"] = "4",
        }).Build();
        return new CircuitStore(_blobs, CoreConfiguration.LoadRoles(configuration), _time, NullLogger<CircuitStore>.Instance);
    }
}
