using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>
/// Capability routing, health reasons and the scaling hint through the real tool against a real Standalone server:
/// <c>submit --require</c>, <c>worker run --capability</c>, <c>health</c> and <c>metrics</c>.
/// </summary>
public sealed class RoutingTests
{
    private const string Script = "cat > /dev/null\nprintf 'migrated for %s\\n' \"$AGENTQ_TASK_ID\"";

    [Fact]
    public async Task A_required_capability_waits_visibly_until_a_worker_that_has_it_takes_the_task()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("migrate"));
        var script = scene.Script("migrate.sh", Script);
        await scene.StartWorkerAsync("migrate", script, "--capability", "gpu");

        await scene.RunExpectingAsync(0, "submit", "Migrate the schema", "--to", "migrate", "--require", "database", "--id", "req-1");

        // The worker without the capability polls on; the task says what it waits for.
        var waiting = await scene.WaitForStatusAsync("req-1", s => s.GetProperty("roles")[0].TryGetProperty("waitReason", out _));
        var role = waiting.GetProperty("roles")[0];
        Assert.Equal("waiting for a worker with: database", role.GetProperty("waitReason").GetString());
        Assert.Equal("pending", role.GetProperty("state").GetString());
        Assert.Equal(0, role.GetProperty("attempt").GetInt32());

        await scene.StartWorkerAsync("migrate", script, "--capability", "database");
        var done = await scene.WaitForStatusAsync("req-1", s => s.GetProperty("state").GetString() is "completed" or "failed");
        Assert.Equal("completed", done.GetProperty("state").GetString());
        Assert.Equal("migrated for req-1\n", (await scene.RunExpectingAsync(0, "result", "req-1", "--role", "migrate")).Stdout);
    }

    [Fact]
    public async Task Health_shows_the_reason_of_a_degraded_server_and_metrics_the_workers_a_remote_role_needs()
    {
        await using var scene = await EndToEnd.StartAsync(new Dictionary<string, string>(ServerSettings.Remote("migrate"))
        {
            ["Roles:migrate:Alerts:MaxDepth"] = "1",
        });
        foreach (var id in new[] { "dep-1", "dep-2", "dep-3" })
        {
            await scene.RunExpectingAsync(0, "submit", "Migrate", "--to", "migrate", "--id", id);
        }

        var health = await scene.RunExpectingAsync(0, "health");
        Assert.StartsWith("degraded  engine standalone", health.Stdout, StringComparison.Ordinal);
        Assert.Contains("  - role 'migrate': 3 attempts wait in the queue (Alerts:MaxDepth is 1)\n", health.Stdout, StringComparison.Ordinal);

        var metrics = await scene.RunExpectingAsync(0, "metrics");
        var header = metrics.Stdout.Split('\n').First(l => l.StartsWith("ROLE", StringComparison.Ordinal));
        var row = metrics.Stdout.Split('\n').First(l => l.StartsWith("migrate ", StringComparison.Ordinal));
        Assert.Contains("CIRCUIT", header, StringComparison.Ordinal);
        Assert.EndsWith("DESIRED", header.TrimEnd(), StringComparison.Ordinal);
        var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("closed", cells[^2]);
        Assert.True(int.Parse(cells[^1], System.Globalization.CultureInfo.InvariantCulture) >= 1, row);
    }
}
