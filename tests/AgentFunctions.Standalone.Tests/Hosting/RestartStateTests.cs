using System.Net;
using System.Net.Http.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// What used to live only in the server's memory survives a kill -9 and restart on the same data: a lease whose task
/// was canceled, the lease length a worker asked for, and the per-role counters.
/// </summary>
public sealed class RestartStateTests : IDisposable
{
    private readonly Scripts _scripts = new();
    private readonly string _data = TempPaths.NewDirectory("restart-state");

    public void Dispose()
    {
        _scripts.Dispose();
        TempPaths.TryDelete(_data);
    }

    [Fact]
    public async Task Worker_learns_that_its_task_was_canceled_after_a_restart_and_may_still_hand_in_its_result()
    {
        var start = Start(new Dictionary<string, string> { ["Roles:review:Runner"] = "remote", ["Roles:review:LeaseSeconds"] = "120" });
        string leaseId;
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            await first.SubmitAsync("""{ "id": "canceled-1", "to": ["review"], "instructions": "x" }""");
            leaseId = (await first.LeaseAsync("review", """{ "workerId": "w-1", "waitSeconds": 5 }""")).GetProperty("leaseId").GetString()!;
            using var cancel = await first.PostJsonAsync("api/tasks/canceled-1/cancel", """{ "reason": "no longer needed" }""");
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
            await first.WaitForAsync("canceled-1");
            await first.KillAsync();
        }

        await using (var second = await StandaloneServer.StartAsync(start))
        {
            using var heartbeat = await second.PostJsonAsync($"api/workers/review/leases/{leaseId}/heartbeat", "{}");
            Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
            Assert.True((await Responses.ReadJsonAsync(heartbeat)).GetProperty("canceled").GetBoolean());

            using var complete = await second.PostJsonAsync($"api/workers/review/leases/{leaseId}/complete", """{ "status": "completed", "result": "finished anyway" }""");
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
            Assert.Equal(AgentTaskStatus.Canceled, (await second.GetTaskAsync("canceled-1")).State);
            Assert.Equal("finished anyway", await second.Client.GetStringAsync("api/tasks/canceled-1/artifacts/discarded/review/attempt-1/results_review.md"));
            await second.KillAsync();
        }

        // Handed in, the lease is forgotten for good: a third start does not offer it again.
        await using var third = await StandaloneServer.StartAsync(start);
        using var late = await third.PostJsonAsync($"api/workers/review/leases/{leaseId}/heartbeat", "{}");
        Assert.Equal(HttpStatusCode.Gone, late.StatusCode);
    }

    [Fact]
    public async Task Shorter_lease_a_worker_asked_for_still_holds_after_a_restart()
    {
        var start = Start(new Dictionary<string, string> { ["Roles:review:Runner"] = "remote", ["Roles:review:LeaseSeconds"] = "600" });
        string leaseId;
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            await first.SubmitAsync("""{ "id": "short-1", "to": ["review"], "instructions": "x" }""");
            var lease = await first.LeaseAsync("review", """{ "workerId": "brief", "waitSeconds": 5, "leaseSeconds": 30 }""");
            Assert.Equal(30, lease.GetProperty("leaseSeconds").GetInt32());
            leaseId = lease.GetProperty("leaseId").GetString()!;
            await first.KillAsync();
        }

        await using var second = await StandaloneServer.StartAsync(start);
        var before = DateTimeOffset.UtcNow;
        using var heartbeat = await second.PostJsonAsync($"api/workers/review/leases/{leaseId}/heartbeat", "{}");
        Assert.Equal(HttpStatusCode.OK, heartbeat.StatusCode);
        var extended = (await Responses.ReadJsonAsync(heartbeat)).GetProperty("leaseExpiresAt").GetDateTimeOffset();

        // Extended by the 30 s the worker asked for, not by the role's 600 s.
        Assert.InRange(extended, before.AddSeconds(25), before.AddSeconds(90));
    }

    [Fact]
    public async Task Role_counters_carry_over_a_restart()
    {
        var start = Start(Settings.Of(
            Settings.Echo("implementation"),
            _scripts.Role("broken", "exit 2", new() { ["PermanentExitCodes:0"] = "2" }),
            new Dictionary<string, string> { ["Roles:review:Runner"] = "remote" }));
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            await first.SubmitAsync("""{ "id": "count-1", "to": ["implementation"], "instructions": "x" }""");
            await first.SubmitAsync("""{ "id": "count-2", "to": ["broken"], "instructions": "x" }""");
            await first.SubmitAsync("""{ "id": "count-3", "to": ["review"], "instructions": "x" }""");
            await first.WaitForAsync("count-1");
            await first.WaitForAsync("count-2");
            var leaseId = (await first.LeaseAsync("review", """{ "workerId": "w-1", "waitSeconds": 5 }""")).GetProperty("leaseId").GetString();
            using var complete = await first.PostJsonAsync($"api/workers/review/leases/{leaseId}/complete", """
                { "status": "completed", "result": "ok", "usage": { "inputTokens": 10, "outputTokens": 5, "costUsd": 0.01 } }
                """);
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
            await first.WaitForAsync("count-3");
            await first.KillAsync();
        }

        await using var second = await StandaloneServer.StartAsync(start);
        var metrics = (await second.Client.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options))!;
        var implementation = metrics.Roles.Single(r => r.Role == "implementation");
        Assert.Equal(1, implementation.Succeeded);
        Assert.Equal(1, implementation.AttemptLatencyMs.Count);
        var broken = metrics.Roles.Single(r => r.Role == "broken");
        Assert.Equal(1, broken.FailedAttempts);
        Assert.Equal(1, broken.DeadLettered);
        var review = metrics.Roles.Single(r => r.Role == "review");
        Assert.Equal(1, review.Succeeded);
        Assert.Equal(new AgentUsage { InputTokens = 10, OutputTokens = 5, CostUsd = 0.01m }, review.Usage);

        // Counting goes on from the totals.
        await second.SubmitAsync("""{ "id": "count-4", "to": ["implementation"], "instructions": "x" }""");
        await second.WaitForAsync("count-4");
        var after = (await second.Client.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options))!;
        Assert.Equal(2, after.Roles.Single(r => r.Role == "implementation").Succeeded);
        Assert.Equal(2, after.Roles.Single(r => r.Role == "implementation").AttemptLatencyMs.Count);
    }

    /// <summary>The restart keeps the port and the data directory, as a supervisor restarting the service would.</summary>
    private StandaloneServerOptions Start(Dictionary<string, string> settings) =>
        new() { Settings = settings, Port = LoopbackPorts.Free(), DataDirectory = _data };
}
