using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// The data directory on a small tmpfs that fills up for real: below <c>Standalone:MinFreeBytes</c> new work is
/// refused with 507 while reads go on and health says why; a commit that still fails on a full disk is answered 507
/// and undone, and the server runs on, consistent; once space is freed it all recovers by itself.
/// </summary>
public sealed class DiskFullTests
{
    [TmpfsFact]
    public async Task Below_the_minimum_free_space_new_work_is_refused_with_507_reads_go_on_and_it_recovers_once_space_is_freed()
    {
        using var disk = TmpfsMount.Create(megabytes: 64);
        var data = Path.Combine(disk.Path, "data");
        await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            Settings = Settings.Of(Settings.Echo("implementation"), new Dictionary<string, string> { ["Standalone:MinFreeBytes"] = (24L * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) }),
            DataDirectory = data,
        });
        await server.SubmitAsync("""{ "id": "before", "to": ["implementation"], "instructions": "x", "context": "kept" }""");
        await server.WaitForAsync("before");

        var ballast = disk.Fill("ballast", leaveBytes: 8L * 1024 * 1024);

        // Free space is read at most every quarter second: once health has seen it low, new work is refused, naming the
        // directory and the space left, with a time to come back.
        (await WaitForStatusAsync(() => server.Client.GetAsync("api/health"), HttpStatusCode.ServiceUnavailable)).Dispose();
        using (var refused = await server.PostJsonAsync("api/tasks", """{ "id": "during", "to": ["implementation"], "instructions": "x" }"""))
        {
            var problem = await Responses.AssertProblemAsync(refused, HttpStatusCode.InsufficientStorage, $"the data directory {data} has ");
            Assert.Contains("bytes free, less than Standalone:MinFreeBytes (25165824)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        // Reads go on.
        Assert.Equal(AgentTaskStatus.Completed, (await server.GetTaskAsync("before")).State);
        Assert.Equal("kept", await server.Client.GetStringAsync("api/tasks/before/artifacts/context.md"));
        using (var missing = await server.Client.GetAsync("api/tasks/during"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        // Health says why.
        using (var health = await server.Client.GetAsync("api/health"))
        {
            var report = await Responses.ReadJsonAsync(health);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("unhealthy", report.GetProperty("status").GetString());
            Assert.Contains("below the minimum of 24.0 MiB", report.GetProperty("checks").GetProperty("disk").GetString(), StringComparison.Ordinal);
        }

        // Space freed: everything lifts by itself.
        File.Delete(ballast);
        using (var healthy = await WaitForStatusAsync(() => server.Client.GetAsync("api/health"), HttpStatusCode.OK))
        {
            Assert.Equal("healthy", (await Responses.ReadJsonAsync(healthy)).GetProperty("status").GetString());
        }

        await server.SubmitAsync("""{ "id": "during", "to": ["implementation"], "instructions": "x" }""");
        Assert.Equal(AgentTaskStatus.Completed, (await server.WaitForAsync("during")).State);
    }

    [TmpfsFact]
    public async Task A_commit_that_fails_on_a_full_disk_is_answered_507_and_undone_and_the_server_runs_on_consistent()
    {
        using var disk = TmpfsMount.Create(megabytes: 48);
        var data = Path.Combine(disk.Path, "data");

        // No minimum: nothing refuses work before the disk is full, so the commits themselves fail.
        var start = new StandaloneServerOptions
        {
            Settings = Settings.Of(Settings.Echo("implementation"), new Dictionary<string, string> { ["Standalone:MinFreeBytes"] = "0" }),
            DataDirectory = data,
            Port = LoopbackPorts.Free(),
        };
        var accepted = new List<string>();
        var refused = new List<string>();
        await using (var server = await StandaloneServer.StartAsync(start))
        {
            // Each task carries 512 KiB of context into the database. These grow the write-ahead log while there is room;
            // once checkpointed, the log is reused from its start, so the first tasks on the full disk still fit in it.
            var context = new string('c', 512 * 1024);
            for (var i = 0; i < 8; i++)
            {
                await server.SubmitAsync(JsonSerializer.Serialize(new { id = $"early-{i}", to = new[] { "implementation" }, instructions = "x", context }));
                accepted.Add($"early-{i}");
            }

            await server.WaitForAsync("early-7");
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var ballast = disk.Fill("ballast", leaveBytes: 0);

            // Then the log must grow, and cannot; nor can a checkpoint grow the database file.
            for (var i = 0; i < 40 && refused.Count < 3; i++)
            {
                var id = $"full-{i}";
                using var response = await server.PostJsonAsync("api/tasks", JsonSerializer.Serialize(new { id, to = new[] { "implementation" }, instructions = "x", context }));
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        accepted.Add(id);
                        break;
                    case HttpStatusCode.InsufficientStorage:
                        await Responses.AssertProblemAsync(response, HttpStatusCode.InsufficientStorage, "is full");
                        refused.Add(id);
                        break;
                    default:
                        Assert.Fail($"{id}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                        break;
                }
            }

            Assert.NotEmpty(refused);
            Assert.False(server.HasExited, server.Output);

            // Checkpoints cannot grow the database file either: health is unhealthy and says so.
            using (var unhealthy = await WaitForStatusAsync(() => server.Client.GetAsync("api/health"), HttpStatusCode.ServiceUnavailable))
            {
                var checks = (await Responses.ReadJsonAsync(unhealthy)).GetProperty("checks");
                Assert.True(checks.TryGetProperty("checkpoint", out var checkpoint), checks.ToString());
                Assert.Contains("WAL checkpoints fail", checkpoint.GetString(), StringComparison.Ordinal);
            }

            // What was refused was undone: it does not exist, and it can be submitted again once there is room.
            foreach (var id in refused)
            {
                using var missing = await server.Client.GetAsync($"api/tasks/{id}");
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            File.Delete(ballast);
            using (await WaitForStatusAsync(() => server.Client.GetAsync("api/health"), HttpStatusCode.OK)) { }
            foreach (var id in refused)
            {
                await server.SubmitAsync(JsonSerializer.Serialize(new { id, to = new[] { "implementation" }, instructions = "x" }));
                accepted.Add(id);
            }

            foreach (var id in accepted)
            {
                Assert.Equal(AgentTaskStatus.Completed, (await server.WaitForAsync(id, timeout: TimeSpan.FromSeconds(60))).State);
            }

            server.RequestShutdown();
            Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)) && server.ExitCode == 0, server.Output);
            Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
        }

        // After a restart the database says the same: every acknowledged task, done, and nothing else.
        await using var restarted = await StandaloneServer.StartAsync(start);
        var page = await restarted.Client.GetFromJsonAsync<JsonElement>("api/tasks?top=1000");
        var ids = page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).Order(StringComparer.Ordinal);
        Assert.Equal(accepted.Order(StringComparer.Ordinal), ids);
        foreach (var id in accepted)
        {
            Assert.Equal(AgentTaskStatus.Completed, (await restarted.GetTaskAsync(id)).State);
        }
    }

    /// <summary>Repeats <paramref name="send"/> until it answers <paramref name="status"/> (space is read a few times a second).</summary>
    private static async Task<HttpResponseMessage> WaitForStatusAsync(Func<Task<HttpResponseMessage>> send, HttpStatusCode status)
    {
        for (var i = 0; ; i++)
        {
            var response = await send();
            if (response.StatusCode == status || i == 100)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(100);
        }
    }
}
