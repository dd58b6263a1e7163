using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Orchestration;
using AgentFunctions.Testing.Durable;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace AgentFunctions.Durable.Tests.Support;

/// <summary>
/// What a scenario does and reads: the HTTP API of the engine for what a user does, the Durable client for the
/// orchestration's real status, and the app's stores for what was written to Blob storage.
/// </summary>
internal sealed class EngineApi(FunctionsEngineHost host) : IDisposable
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http = new() { BaseAddress = host.BaseUrl, Timeout = TimeSpan.FromSeconds(60) };

    public FunctionsEngineHost Host => host;

    public IArtifactStore Artifacts => host.Services.GetRequiredService<IArtifactStore>();

    public IDeadLetterStore DeadLetters => host.Services.GetRequiredService<IDeadLetterStore>();

    /// <summary>A task id no other scenario uses.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public async Task<HttpResponseMessage> PostAsync(string path, object? body = null) =>
        await _http.PostAsync(path, body is null ? null : JsonContent.Create(body, options: CoreJson.Options));

    /// <summary>POST /api/tasks; the task must be accepted (202).</summary>
    public async Task SubmitAsync(object spec)
    {
        using var response = await PostAsync("api/tasks", spec);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"submit answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task<TaskView> ViewAsync(string id)
    {
        using var response = await _http.GetAsync($"api/tasks/{id}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /api/tasks/{id} answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<TaskView>(body, CoreJson.Options)!;
    }

    /// <summary>Polls the task view until <paramref name="until"/> holds; fails with the last view and the host's warnings otherwise.</summary>
    public async Task<TaskView> WaitForAsync(string id, Func<TaskView, bool> until, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultWait);
        TaskView? view = null;
        while (DateTime.UtcNow < deadline)
        {
            view = await ViewAsync(id);
            if (until(view))
            {
                return view;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"task {id} did not reach '{what}' within {(timeout ?? DefaultWait).TotalSeconds:0} s on the {host.Backend.Name} backend. "
            + $"Last view: {JsonSerializer.Serialize(view, CoreJson.Options)}{Environment.NewLine}Host warnings:{Environment.NewLine}{host.Log}");
        throw new InvalidOperationException("unreachable");
    }

    public Task<TaskView> WaitForStateAsync(string id, AgentTaskStatus state, TimeSpan? timeout = null) =>
        WaitForAsync(id, v => v.State == state, Names.Of(state), timeout);

    public Task<TaskView> WaitForRoleAsync(string id, string role, RoleStatus state, TimeSpan? timeout = null) =>
        WaitForAsync(id, v => v.Roles.Single(r => r.Role == role).State == state, $"{role} {Names.Of(state)}", timeout);

    /// <summary>The orchestration instance as the Durable client reports it, once its runtime has recorded the end.</summary>
    public async Task<OrchestrationMetadata> InstanceAsync(string instanceId, bool ended = true)
    {
        var deadline = DateTime.UtcNow + DefaultWait;
        while (true)
        {
            var instance = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            Assert.NotNull(instance);
            if (!ended || instance.IsCompleted || DateTime.UtcNow > deadline)
            {
                return instance;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Polls the orchestration until the view it published as its custom status is in <paramref name="state"/>.</summary>
    public async Task<OrchestrationMetadata> WaitForCustomStatusAsync(string instanceId, AgentTaskStatus state)
    {
        var deadline = DateTime.UtcNow + DefaultWait;
        while (true)
        {
            var instance = await host.Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (instance?.SerializedCustomStatus is { } status
                && JsonSerializer.Deserialize<TaskView?>(status, CoreJson.Options) is { } view && view.State == state)
            {
                return instance;
            }

            Assert.True(DateTime.UtcNow < deadline, $"instance {instanceId} did not publish the state {Names.Of(state)} within {DefaultWait.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    /// <summary>The task view the orchestration published as its custom status.</summary>
    public static TaskView CustomStatus(OrchestrationMetadata instance)
    {
        Assert.NotNull(instance.SerializedCustomStatus);
        return JsonSerializer.Deserialize<TaskView>(instance.SerializedCustomStatus, CoreJson.Options)!;
    }

    public static TaskResultDocument Output(OrchestrationMetadata instance)
    {
        Assert.NotNull(instance.SerializedOutput);
        return JsonSerializer.Deserialize<TaskResultDocument>(instance.SerializedOutput, CoreJson.Options)!;
    }

    public async Task<string> ArtifactAsync(string path) =>
        await Artifacts.ReadTextAsync(path) ?? throw new Xunit.Sdk.XunitException($"the artifact {path} was not written");

    public async Task<T> ArtifactJsonAsync<T>(string path) =>
        await Artifacts.ReadJsonAsync<T>(path) ?? throw new Xunit.Sdk.XunitException($"the artifact {path} was not written");

    public async Task<DeadLetterRecord> DeadLetterAsync(string id) =>
        await DeadLetters.GetAsync(id, CancellationToken.None) ?? throw new Xunit.Sdk.XunitException($"no dead-letter record {id} was written");

    /// <summary>
    /// Leases the next attempt of <paramref name="taskId"/> on the role's queue. An attempt of another task (left by a
    /// scenario that failed) is released back to its queue, so one failure does not cascade into the next scenario.
    /// </summary>
    public async Task<LeaseGrant> LeaseAsync(string role, string taskId, int waitSeconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(waitSeconds);
        while (true)
        {
            var remaining = Math.Max(1, (int)Math.Ceiling((deadline - DateTime.UtcNow).TotalSeconds));
            using var response = await PostAsync($"api/workers/{role}/lease?wait={remaining}", new { workerId = "scenario-worker" });
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"lease answered {(int)response.StatusCode}: {body}{Environment.NewLine}Host log:{Environment.NewLine}{host.Log}");
            var grant = JsonSerializer.Deserialize<LeaseGrant>(body, CoreJson.Options)!;
            if (grant.TaskId == taskId)
            {
                return grant;
            }

            using var release = await PostAsync($"api/workers/{role}/leases/{Uri.EscapeDataString(grant.LeaseId)}/release");
            Assert.True(DateTime.UtcNow < deadline, $"no attempt of {taskId} was offered on {role} within {waitSeconds} s");
        }
    }

    public async Task<HeartbeatResponse> HeartbeatAsync(string role, string leaseId, double? progress = null, string? message = null)
    {
        using var response = await PostAsync($"api/workers/{role}/leases/{Uri.EscapeDataString(leaseId)}/heartbeat", new { progress, message });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"heartbeat answered {(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<HeartbeatResponse>(body, CoreJson.Options)!;
    }

    public async Task CompleteAsync(string role, string leaseId, object result)
    {
        using var response = await PostAsync($"api/workers/{role}/leases/{Uri.EscapeDataString(leaseId)}/complete", result);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"complete answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public async Task FailAsync(string role, string leaseId, string reason, bool permanent = false)
    {
        using var response = await PostAsync($"api/workers/{role}/leases/{Uri.EscapeDataString(leaseId)}/fail", new { reason, permanent });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"fail answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>GET a route that must answer 200, as JSON.</summary>
    public async Task<System.Text.Json.JsonElement> GetJsonAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
