using System.Runtime.Versioning;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests.Agent;

/// <summary>
/// A task whose ttl runs out while an agent holds its lease, against the real Standalone server (with a one-second
/// minimum ttl so the test need not wait a minute): the agent is told it expired, not that it was canceled.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class TaskExpiryTests : IAsyncLifetime
{
    private EndToEnd _scene = null!;

    public async Task InitializeAsync() => _scene = await EndToEnd.StartAsync(new Dictionary<string, string>
    {
        ["Roles:agent:Runner"] = "remote",
        ["Limits:MinTtlSeconds"] = "1",
    });

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task A_heartbeat_after_the_task_expired_by_its_ttl_says_it_expired_not_that_it_was_canceled()
    {
        await _scene.RunExpectingAsync(0, "submit", "--id", "ttl-1", "--to", "agent", "--instructions", "Quick fix.", "--ttl", "3");
        await _scene.RunExpectingAsync(0, "take", "--role", "agent", "--task", "ttl-1", "--lease", "10m", "--wait", "30");

        await _scene.WaitForStatusAsync("ttl-1", v => v.GetProperty("state").GetString() == "expired");
        var beat = await _scene.RunExpectingAsync(7, "heartbeat", "ttl-1", "--from", "agent");

        Assert.StartsWith("agentq: task 'ttl-1' expired (its ttl ran out): stop working on it", beat.ErrorLine, StringComparison.Ordinal);
        var late = await _scene.RunExpectingAsync(0, "complete", "ttl-1", "--from", "agent", "--result", "# Too late");
        Assert.Equal("task ttl-1 had already ended (expired): the result is kept only as discarded; the lease is settled", late.Stdout.Trim());
    }
}
