using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using System.Text;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// kill -9 in the middle of a batch (attempts running, retries waiting, approvals pending, a remote
/// lease held, submits in flight), restart on the same data, and every acknowledged task ends as it
/// should, with no attempt counted twice.
/// </summary>
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly Scripts _scripts = new();
    private readonly string _data = TempPaths.NewDirectory("crash-data");

    public void Dispose()
    {
        _scripts.Dispose();
        TempPaths.TryDelete(_data);
    }

    [Fact]
    public async Task Every_acknowledged_task_reaches_its_terminal_state_after_a_kill_and_restart()
    {
        var settings = Settings.Of(
            // slow: each run logs its attempt number, then takes a while.
            _scripts.Role("slow", $"echo $AGENTQ_ATTEMPT >> \"{_scripts.Directory}/slow-$AGENTQ_TASK_ID.log\"; sleep 3; echo done", new() { ["Concurrency"] = "16" }),
            // flaky: attempt 1 fails, later attempts succeed; the retry waits 3 s, across the crash.
            _scripts.Role("flaky", $"echo $AGENTQ_ATTEMPT >> \"{_scripts.Directory}/flaky-$AGENTQ_TASK_ID.log\"; [ \"$AGENTQ_ATTEMPT\" -gt 1 ]", new() { ["Concurrency"] = "16" }),
            Settings.Retry("flaky", 4, firstDelay: "00:00:03"),
            Settings.Echo("quick", "gated"),
            new Dictionary<string, string> { ["Roles:remote-review:Runner"] = "remote", ["Roles:remote-review:LeaseSeconds"] = "120" });

        // The restart keeps the port and the data directory, as a supervisor restarting the service would.
        var start = new StandaloneServerOptions { Settings = settings, Port = LoopbackPorts.Free(), DataDirectory = _data };
        var acknowledged = new ConcurrentBag<string>();
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            for (var i = 0; i < 8; i++)
            {
                await Submit(client, $"slow-{i}", "slow", acknowledged);
                await Submit(client, $"flaky-{i}", "flaky", acknowledged);
            }

            for (var i = 0; i < 4; i++)
            {
                await Submit(client, $"gated-{i}", "gated", acknowledged, requiresApproval: true);
            }

            await Submit(client, "remote-0", "remote-review", acknowledged);
            using var lease = await client.PostAsync("api/workers/remote-review/lease", JsonContent.Create(new { workerId = "survivor" }));
            var leaseId = (await Responses.ReadJsonAsync(lease)).GetProperty("leaseId").GetString();
            File.WriteAllText(Path.Combine(_scripts.Directory, "lease"), leaseId);

            await WaitUntilAsync(async () =>
            {
                var views = await Task.WhenAll(Enumerable.Range(0, 8).SelectMany(i => new[] { $"slow-{i}", $"flaky-{i}" }).Select(id => Get(client, id)));
                return views.Where(v => v.Id.StartsWith("slow", StringComparison.Ordinal)).All(v => v.Roles[0].State == RoleStatus.Running)
                    && views.Where(v => v.Id.StartsWith("flaky", StringComparison.Ordinal)).All(v => v.Roles[0].State == RoleStatus.Retrying);
            });

            // Keep submitting while the process dies: some of these are acknowledged, some are cut off.
            using var stop = new CancellationTokenSource();
            var burst = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        await Submit(client, $"quick-{i}", "quick", acknowledged);
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            });
            await Task.Delay(300);
            await first.KillAsync();
            await stop.CancelAsync();
            await burst;
        }

        Assert.Contains(acknowledged, id => id.StartsWith("quick-", StringComparison.Ordinal));
        await using var second = await StandaloneServer.StartAsync(start);
        using var after = new HttpClient { BaseAddress = second.BaseAddress };

        // The remote worker's lease survived the crash: it hands in its result with the same lease id.
        var survivingLease = File.ReadAllText(Path.Combine(_scripts.Directory, "lease"));
        using (var complete = await after.PostAsync($"api/workers/remote-review/leases/{survivingLease}/complete", JsonContent.Create(new { status = "completed", result = "reviewed" })))
        {
            Assert.Equal(HttpStatusCode.OK, complete.StatusCode);
        }

        for (var i = 0; i < 4; i++)
        {
            using var approve = await after.PostAsync($"api/tasks/gated-{i}/approve", JsonContent.Create(new { by = "after-crash" }));
            Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        }

        foreach (var id in acknowledged)
        {
            var view = await WaitForEndAsync(after, id);
            Assert.True(view.State == AgentTaskStatus.Completed, $"{id} ended {view.State}: {JsonSerializer.Serialize(view, CoreJson.Options)}");

            // Its artifacts were committed with it: every one it names reads back.
            Assert.Contains("\"instructions\": \"survive\"", await after.GetStringAsync($"api/tasks/{id}/artifacts/spec.json"), StringComparison.Ordinal);
            Assert.Contains("\"completed\"", await after.GetStringAsync($"api/tasks/{id}/result"), StringComparison.Ordinal);
            using var roleResult = await after.GetAsync($"api/tasks/{id}/artifacts/{view.Roles[0].ResultRef![$"tasks/{id}/".Length..]}");
            Assert.Equal(HttpStatusCode.OK, roleResult.StatusCode);
        }

        for (var i = 0; i < 8; i++)
        {
            // The interrupted attempt ran again as attempt 1: a re-run is not a new attempt.
            var slow = await Get(after, $"slow-{i}");
            Assert.Equal(1, slow.Roles[0].Attempt);
            Assert.All(File.ReadAllLines(_scripts.PathOf($"slow-slow-{i}.log")), line => Assert.Equal("1", line));

            // The retry that was waiting across the crash ran once, as attempt 2.
            var flaky = await Get(after, $"flaky-{i}");
            Assert.Equal(2, flaky.Roles[0].Attempt);
            Assert.Equal(["1", "2"], File.ReadAllLines(_scripts.PathOf($"flaky-flaky-{i}.log")));
        }

        Assert.Equal("reviewed", await after.GetStringAsync("api/tasks/remote-0/artifacts/results/remote-review.md"));
    }

    private static async Task Submit(HttpClient client, string id, string role, ConcurrentBag<string> acknowledged, bool requiresApproval = false)
    {
        var body = JsonSerializer.Serialize(new { id, to = new[] { role }, instructions = "survive", requiresApproval });
        using var response = await client.PostAsync("api/tasks", new StringContent(body, Encoding.UTF8, "application/json"));
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            acknowledged.Add(id);
        }
    }

    private static async Task<TaskView> Get(HttpClient client, string id) =>
        (await client.GetFromJsonAsync<TaskView>($"api/tasks/{id}", CoreJson.Options))!;

    private static async Task<TaskView> WaitForEndAsync(HttpClient client, string id)
    {
        for (var i = 0; i < 400; i++)
        {
            var view = await Get(client, id);
            if (view.State.IsTerminal())
            {
                return view;
            }

            await Task.Delay(50);
        }

        return await Get(client, id);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("the batch never reached the state to crash in");
    }
}
