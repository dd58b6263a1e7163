using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Api.Engine;
using AgentFunctions.Api.Telemetry;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Telemetry;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Durable.Tests.Support;
using AgentFunctions.Hosting;
using AgentFunctions.Telemetry;
using AgentFunctions.Testing.Telemetry;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using static AgentFunctions.Durable.Tests.Support.ScenarioRoles;
using TraceContext = AgentFunctions.Core.Telemetry.TraceContext;

namespace AgentFunctions.Durable.Tests.Scenarios;

/// <summary>
/// The Functions engine's telemetry on the real Durable runtime, seen by an in-process collector (an ActivityListener
/// and a MeterListener, as the worker's OpenTelemetry SDK would): the task's trace comes from its orchestration input
/// (orchestrators only pass it on), each attempt is a span under the submit, and the figures an exporter reads are the
/// ones /api/metrics answers.
/// </summary>
public sealed class TracingScenarios(InMemoryEngine engine) : IClassFixture<InMemoryEngine>, IDisposable
{
    private readonly EngineApi _api = new(engine.Host);
    private readonly HttpClient _http = new() { BaseAddress = engine.Host.BaseUrl };

    [Fact]
    public async Task A_fan_out_task_with_retries_is_one_trace_under_the_callers_submit()
    {
        using var collector = new SpanCollector();
        var id = EngineApi.NewId("traced");
        var caller = TraceContexts.NewChildOf(null);
        using (var accepted = await PostAsync("api/tasks", JsonSerializer.Serialize(new { id, to = new[] { Flaky, Worker }, instructions = "Trace me." }), caller))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        var grant = await _api.LeaseAsync(Worker, id);
        var attempt = TraceContext.TryParse(grant.TraceParent, grant.TraceState)!;
        Assert.Equal(caller.TraceId, attempt.TraceId);
        var worker = TraceContexts.NewChildOf(attempt);
        var started = DateTimeOffset.UtcNow;
        string leaseId;
        using (var beat = await PostAsync($"api/workers/{Worker}/leases/{Uri.EscapeDataString(grant.LeaseId)}/heartbeat", "{}", worker))
        {
            Assert.Equal(HttpStatusCode.OK, beat.StatusCode);
            leaseId = (await beat.Content.ReadFromJsonAsync<HeartbeatResponse>(CoreJson.Options))!.LeaseId; // the Functions engine renews it
        }

        var report = new WorkerSpan { TraceParent = worker.TraceParent, ParentSpanId = attempt.SpanId, Name = "scenario worker", StartedAt = started, EndedAt = DateTimeOffset.UtcNow };
        var body = JsonSerializer.Serialize(new { status = "completed", summary = "reviewed", workerSpan = report }, CoreJson.Options);
        using (var complete = await PostAsync($"api/workers/{Worker}/leases/{Uri.EscapeDataString(leaseId)}/complete", body, worker))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        var view = await _api.WaitForStateAsync(id, AgentTaskStatus.Completed);
        Assert.Equal(caller.TraceId, view.TraceId);

        var spans = await collector.WaitForAsync(
            all => all.Count(s => s.Name == SpanNames.Attempt && s[TelemetryTags.TaskId] == id) >= 4 && all.Any(s => s.Name == "scenario worker")
                && SpanTree.HasUnder(all, SpanNames.Complete, worker.SpanId) && SpanTree.HasUnder(all, SpanNames.Heartbeat, worker.SpanId),
            EngineApi.DefaultWait);
        var trace = new SpanTree(spans.Where(s => s.TraceId == caller.TraceId).ToList());
        var submitted = trace.Single(SpanNames.Submit);
        Assert.True(trace.Descends(submitted, caller.SpanId), "the submit span is not under the caller's span:\n" + trace);

        var flaky = Enumerable.Range(1, 3).Select(n => trace.Single(SpanNames.Attempt, s => s[TelemetryTags.Role] == Flaky && s[TelemetryTags.Attempt] == n.ToString(CultureInfo.InvariantCulture))).ToList();
        var remote = trace.Single(SpanNames.Attempt, s => s[TelemetryTags.Role] == Worker);
        Assert.All(flaky.Append(remote), a => Assert.Equal(submitted.SpanId, a.ParentSpanId));
        Assert.Equal([AttemptOutcomes.Failed, AttemptOutcomes.Failed, AttemptOutcomes.Succeeded], flaky.Select(a => a[TelemetryTags.Outcome]));
        Assert.Equal(AttemptOutcomes.Succeeded, remote[TelemetryTags.Outcome]);
        Assert.All(flaky, a => Assert.Single(trace.Named("runner command"), r => r.ParentSpanId == a.SpanId));

        Assert.Equal(attempt.SpanId, remote.SpanId);
        Assert.Equal(remote.SpanId, trace.Single(SpanNames.Lease).ParentSpanId);
        Assert.Equal((worker.SpanId, remote.SpanId), (trace.Single("scenario worker").SpanId, trace.Single("scenario worker").ParentSpanId));
        Assert.True(trace.Descends(trace.Single(SpanNames.Heartbeat), worker.SpanId), "heartbeat is not under the worker's span:\n" + trace);
        Assert.True(trace.Descends(trace.Single(SpanNames.Complete), worker.SpanId), "complete is not under the worker's span:\n" + trace);
    }

    [Fact]
    public async Task The_figures_an_exporter_reads_are_what_the_metrics_route_answers()
    {
        var services = engine.Host.Services;
        var meters = services.GetRequiredService<IMeterFactory>();
        var readings = new Dictionary<(string Name, string Tags), double>();
        using var exporter = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == AgentTelemetry.Name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        exporter.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            readings[(instrument.Name, string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}")))] = value);
        exporter.Start();

        var id = EngineApi.NewId("measured");
        await _api.SubmitAsync(new { id, to = new[] { Impl, Broken }, instructions = "Count me." });
        await _api.WaitForStateAsync(id, AgentTaskStatus.Failed);

        // What the Functions app's timer does once a minute while an exporter listens, then what the exporter reads.
        var instruments = services.GetRequiredService<EngineInstruments>();
        Assert.True(instruments.Observed);
        var refresh = new MetricsRefresh(instruments, services.GetRequiredService<IEngineMonitor>(), services.GetRequiredService<DurableClientAccessor>());
        await refresh.RunAsync(new TimerInfo(), engine.Host.Client, CancellationToken.None);
        exporter.RecordObservableInstruments();
        var snapshot = (await _http.GetFromJsonAsync<MetricsSnapshot>("api/metrics", CoreJson.Options))!;

        Assert.Equal(snapshot.Failed, readings[("agentfunctions.tasks.failed", string.Empty)]);
        Assert.Equal(snapshot.Completed, readings[("agentfunctions.tasks.completed", string.Empty)]);
        Assert.Equal(snapshot.Tasks["failed"], readings[("agentfunctions.tasks", "state=failed")]);
        foreach (var role in snapshot.Roles)
        {
            Assert.Equal(role.Succeeded, readings[("agentfunctions.role.succeeded", "role=" + role.Role)]);
            Assert.Equal(role.DeadLettered, readings[("agentfunctions.role.dead_lettered", "role=" + role.Role)]);
            Assert.Equal(role.FailedAttempts, readings[("agentfunctions.role.failed_attempts", "role=" + role.Role)]);
            Assert.Equal(role.InFlight, readings[("agentfunctions.role.in_flight", "role=" + role.Role)]);
        }

        Assert.True(snapshot.Roles.Single(r => r.Role == Broken).DeadLettered >= 1);
    }

    public void Dispose()
    {
        _api.Dispose();
        _http.Dispose();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string json, TraceContext trace)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("traceparent", trace.TraceParent);
        return await _http.SendAsync(request);
    }
}
