using System.Net.Http.Json;
using System.Net;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Api;

public sealed class MetricsTests : IAsyncLifetime, IDisposable
{
    private readonly Scripts _scripts = new();
    private StandaloneServer _server = null!;

    public async Task InitializeAsync() => _server = await StandaloneServer.StartAsync(Settings.Of(
        Settings.Echo("implementation"),
        _scripts.Role("broken", "exit 2", new() { ["PermanentExitCodes:0"] = "2" }),
        new Dictionary<string, string> { ["Roles:review:Runner"] = "remote" }));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Metrics_count_outcomes_queues_and_workers()
    {
        await _server.SubmitAsync("""{ "id": "m-1", "to": ["implementation"], "instructions": "x" }""");
        await _server.SubmitAsync("""{ "id": "m-2", "to": ["broken"], "instructions": "x" }""");
        await _server.SubmitAsync("""{ "id": "m-3", "to": ["review"], "instructions": "x" }""");
        await _server.WaitForAsync("m-1");
        await _server.WaitForAsync("m-2");
        using (await _server.PostJsonAsync("api/workers/review/lease", """{ "workerId": "w-1" }""")) { }
        await _server.SubmitAsync("""{ "id": "m-4", "to": ["review"], "instructions": "x" }""");

        var metrics = await _server.Client.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options);

        Assert.Equal("standalone", metrics!.Engine);
        Assert.Equal(1, metrics.Completed);
        Assert.Equal(1, metrics.Failed);
        Assert.Equal(1, metrics.DeadLettered);
        Assert.Equal(2, metrics.Tasks["running"] + metrics.Tasks["accepted"]);
        var review = metrics.Roles.Single(r => r.Role == "review");
        Assert.Equal(1, review.QueueDepth);
        Assert.Equal(1, review.InFlight);
        Assert.NotNull(review.OldestWaitingSeconds);
        var implementation = metrics.Roles.Single(r => r.Role == "implementation");
        Assert.Equal(1, implementation.Succeeded);
        Assert.Equal(1, implementation.AttemptLatencyMs.Count);
        Assert.NotNull(implementation.AttemptLatencyMs.P99);
        Assert.Equal(1, metrics.Roles.Single(r => r.Role == "broken").DeadLettered);
        Assert.Contains(metrics.Workers, w => w.WorkerId == "w-1" && w.Role == "review");
    }

    [Fact]
    public async Task Metrics_are_available_as_prometheus_text()
    {
        using var byQuery = await _server.Client.GetAsync("api/metrics?format=prometheus");
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/metrics");
        request.Headers.Accept.ParseAdd("text/plain");
        using var byAccept = await _server.Client.SendAsync(request);

        var text = await byQuery.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, byQuery.StatusCode);
        Assert.Equal("text/plain", byQuery.Content.Headers.ContentType!.MediaType);
        Assert.Contains("# TYPE agentfunctions_role_queue_depth gauge", text, StringComparison.Ordinal);
        Assert.Contains("agentfunctions_role_queue_depth{role=\"review\"}", text, StringComparison.Ordinal);
        Assert.Contains("agentfunctions_tasks_completed_total", text, StringComparison.Ordinal);
        Assert.Equal("text/plain", byAccept.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Health_reports_the_engine()
    {
        var health = await _server.Client.GetFromJsonAsync<HealthReport>("api/health", CoreJson.Options);

        Assert.Equal("healthy", health!.Status);
        Assert.Equal("standalone", health.Engine);
        Assert.Equal("ok", health.Checks["journal"]);
    }

    [Fact]
    public async Task Health_needs_no_key_so_paths_and_profiling_figures_are_in_the_metrics_instead()
    {
        var health = await _server.Client.GetFromJsonAsync<HealthReport>("api/health", CoreJson.Options);
        var metrics = await _server.Client.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options);

        Assert.DoesNotContain(health!.Checks, check => check.Value.Contains(_server.DataDirectory, StringComparison.Ordinal));
        Assert.Equal(["activeTasks", "disk", "journal", "pendingWrites"], health.Checks.Keys.Order(StringComparer.Ordinal));
        var diagnostics = metrics!.Diagnostics!;
        Assert.StartsWith(_server.DataDirectory, diagnostics["database"], StringComparison.Ordinal);
        Assert.True(long.Parse(diagnostics["jitCompiledMethods"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        foreach (var figure in new[] { "commits", "operations", "journalApplyMs", "journalWriteMs", "journalCommitMs", "journalEffectsMs", "walCheckpointMs" })
        {
            Assert.True(double.TryParse(diagnostics[figure], System.Globalization.CultureInfo.InvariantCulture, out _), figure);
        }
    }
}
