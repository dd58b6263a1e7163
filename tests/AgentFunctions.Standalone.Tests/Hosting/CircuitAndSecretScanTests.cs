using System.Net;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Resilience;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// What only the Standalone server has to show: its circuit breaker is in-process and persisted, so an open breaker
/// stays open across a kill and restart; and a server set to <c>Security:SecretScan</c> = Flag.
/// </summary>
public sealed class CircuitAndSecretScanTests : IDisposable
{
    private readonly Scripts _scripts = new();
    private readonly string _data = TempPaths.NewDirectory("circuit-data");

    public void Dispose()
    {
        _scripts.Dispose();
        TempPaths.TryDelete(_data);
    }

    [Fact]
    public async Task An_open_breaker_stays_open_across_a_kill_and_restart_and_its_held_attempts_still_wait()
    {
        var settings = Settings.Of(
            _scripts.Role("down", "echo 'dependency down' >&2; exit 1", new()
            {
                ["CircuitBreaker:MinimumThroughput"] = "3",
                ["CircuitBreaker:BreakDuration"] = "00:10:00",
            }),
            Settings.Retry("down", 10, firstDelay: "00:00:00.1", maxDelay: "00:00:00.2"));
        var options = new StandaloneServerOptions { Settings = settings, Port = LoopbackPorts.Free(), DataDirectory = _data };
        CircuitView before;
        await using (var first = await StandaloneServer.StartAsync(options))
        {
            for (var i = 0; i < 3; i++)
            {
                await first.SubmitAsync($$"""{ "id": "down-{{i}}", "to": ["down"], "instructions": "x" }""");
            }

            await first.WaitForAsync("down-0", v => v.Roles[0].WaitReason?.StartsWith("held by the circuit breaker", StringComparison.Ordinal) == true);
            before = (await Circuit(first))!;
            Assert.Equal(CircuitStatus.Open, before.State);
            await first.KillAsync();
        }

        await using var second = await StandaloneServer.StartAsync(options);
        var after = (await Circuit(second))!;
        Assert.Equal((CircuitStatus.Open, before.OpenUntil, before.Openings), (after.State, after.OpenUntil, after.Openings));
        var health = JsonDocument.Parse(await second.Client.GetStringAsync("api/health")).RootElement;
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        for (var i = 0; i < 3; i++)
        {
            var role = (await second.GetTaskAsync($"down-{i}")).Roles[0];
            Assert.Equal(RoleStatus.Retrying, role.State);
            Assert.InRange(role.Attempt, 1, 2);
        }

        // Nothing runs while it stays open: the attempts are still where they were a moment later.
        await Task.Delay(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3; i++)
        {
            Assert.InRange((await second.GetTaskAsync($"down-{i}")).Roles[0].Attempt, 1, 2);
        }
    }

    [Fact]
    public async Task With_secret_scan_flag_a_task_carrying_a_secret_is_accepted_with_a_warning_in_its_view()
    {
        var settings = Settings.Of(Settings.Echo("plain"), new Dictionary<string, string> { ["Security:SecretScan"] = "Flag" });
        await using var server = await StandaloneServer.StartAsync(settings);
        var token = "github_pat_" + new string('a', 22) + "_" + new string('B', 59);

        await server.SubmitAsync($$"""{ "id": "flagged", "to": ["plain"], "instructions": "push with {{token}}" }""");

        var view = await server.WaitForAsync("flagged");
        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal("secret scan: a GitHub fine-grained token (github_fine_grained_token) in instructions at line 1, column 11", view.Warnings![0]);

        // The echo agent answered with the prompt, secret and all: what was stored is redacted, and the view says so.
        Assert.StartsWith("role 'plain': redacted a GitHub fine-grained token (github_fine_grained_token) in result", view.Warnings[1], StringComparison.Ordinal);
        var stored = await server.Client.GetStringAsync("api/tasks/flagged/artifacts/results/plain.md");
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.Contains("[REDACTED:github_fine_grained_token]", stored, StringComparison.Ordinal);
    }

    private static async Task<CircuitView?> Circuit(StandaloneServer server)
    {
        var metrics = JsonSerializer.Deserialize<MetricsSnapshot>(await server.Client.GetStringAsync("api/metrics"), CoreJson.Options)!;
        return metrics.Roles.Single(r => r.Role == "down").Circuit;
    }
}
