using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// A stop is not a crash: SIGTERM idle or in the middle of a batch exits 0 without a stack trace, with every
/// acknowledged change committed, attempts that outlived <c>Standalone:ShutdownGrace</c> released uncounted, and the
/// lock free for the next start. A storage failure exits 1 with one line.
/// </summary>
public sealed class CleanStopTests : IDisposable
{
    private readonly Scripts _scripts = new();
    private readonly string _data = TempPaths.NewDirectory("stop-data");

    public void Dispose()
    {
        _scripts.Dispose();
        TempPaths.TryDelete(_data);
    }

    [Fact]
    public async Task Sigterm_on_an_idle_server_exits_0_without_a_stack_trace()
    {
        var start = new StandaloneServerOptions { Settings = Settings.Echo("implementation"), Port = LoopbackPorts.Free(), DataDirectory = _data };
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            await first.SubmitAsync("""{ "id": "idle-1", "to": ["implementation"], "instructions": "x" }""");
            await first.WaitForAsync("idle-1");

            first.RequestShutdown();

            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), first.Output);
            AssertCleanExit(first);
        }

        // The lock was released and the commits are there: the next server starts at once and knows the task.
        await using var second = await StandaloneServer.StartAsync(start);
        Assert.Equal(AgentTaskStatus.Completed, (await second.GetTaskAsync("idle-1")).State);
    }

    [Fact]
    public async Task Sigterm_in_the_middle_of_a_batch_exits_0_and_every_acknowledged_task_completes_after_the_restart()
    {
        var log = _scripts.PathOf("runs.log");
        var settings = Settings.Of(
            Settings.Echo("implementation"),
            _scripts.Role("slow", $"echo \"$AGENTQ_TASK_ID\" >> \"{log}\"; sleep 5; echo done", new() { ["Concurrency"] = "4" }),
            new Dictionary<string, string> { ["Standalone:ShutdownGrace"] = "00:00:01" });
        var start = new StandaloneServerOptions { Settings = settings, Port = LoopbackPorts.Free(), DataDirectory = _data };
        var acknowledged = new ConcurrentBag<string>();
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            using var client = new HttpClient { BaseAddress = first.BaseAddress };
            for (var i = 0; i < 4; i++)
            {
                await Submit(client, $"slow-{i}", "slow", acknowledged);
            }

            await WaitUntilAsync(() => File.Exists(log) && File.ReadAllLines(log).Length == 4);

            // Submits keep arriving while the stop begins: some are acknowledged, the rest refused or cut off.
            using var stop = new CancellationTokenSource();
            var burst = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        await Submit(client, $"quick-{i}", "implementation", acknowledged);
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            });
            await Task.Delay(200);
            first.RequestShutdown();

            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), first.Output);
            await stop.CancelAsync();
            await burst;
            AssertCleanExit(first);
        }

        Assert.Contains(acknowledged, id => id.StartsWith("quick-", StringComparison.Ordinal));
        await using var second = await StandaloneServer.StartAsync(start);
        foreach (var id in acknowledged)
        {
            var view = await second.WaitForAsync(id, timeout: TimeSpan.FromSeconds(60));
            Assert.True(view.State == AgentTaskStatus.Completed, $"{id} ended {view.State}");

            // The slow attempts outlived the grace period: released, run again as the same attempt.
            Assert.Equal(1, view.Roles[0].Attempt);
        }

        Assert.Equal(8, File.ReadAllLines(log).Length);
    }

    [Fact]
    public async Task Shutdown_grace_is_read_from_Standalone_ShutdownGrace()
    {
        var log = _scripts.PathOf("runs.log");
        var settings = Settings.Of(
            _scripts.Role("slow", $"echo run >> \"{log}\"; sleep 5; echo done"),
            new Dictionary<string, string> { ["Standalone:ShutdownGrace"] = "00:00:01" });
        var start = new StandaloneServerOptions { Settings = settings, Port = LoopbackPorts.Free(), DataDirectory = _data };
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            await first.SubmitAsync("""{ "id": "graced", "to": ["slow"], "instructions": "x" }""");
            await WaitUntilAsync(() => File.Exists(log));

            first.RequestShutdown();

            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), first.Output);
            AssertCleanExit(first);
        }

        // One second of grace against a five-second attempt: released, so it runs again after the restart.
        await using var second = await StandaloneServer.StartAsync(start);
        var view = await second.WaitForAsync("graced", timeout: TimeSpan.FromSeconds(30));
        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal(1, view.Roles[0].Attempt);
        Assert.Equal(2, File.ReadAllLines(log).Length);
    }

    [Fact]
    public void Shutdown_grace_defaults_to_30_seconds()
    {
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build();

        Assert.Equal(TimeSpan.FromSeconds(30), StandaloneOptions.Load(configuration).ShutdownGrace);
    }

    [Fact]
    public async Task A_storage_failure_stops_the_server_with_exit_1_and_one_line()
    {
        var start = new StandaloneServerOptions { Settings = Settings.Echo("implementation"), Port = LoopbackPorts.Free(), DataDirectory = _data };
        await using var server = await StandaloneServer.StartAsync(start);
        for (var i = 0; i < 200; i++)
        {
            await server.SubmitAsync($$"""{ "id": "before-{{i}}", "to": ["implementation"], "instructions": "x" }""");
        }

        await server.WaitForAsync("before-199");

        // Every page goes back to the database file first: pages the log still held would be read from the log, and
        // the server could go on past the damage below for as long as it touched only those.
        var database = Path.Combine(_data, "agentfunctions.db");
        using (var checkpoint = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            checkpoint.Open();
            using var command = checkpoint.CreateCommand();
            command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";

            // The server's own checkpoints run every 250 ms, and only one can run at a time.
            var done = false;
            for (var attempt = 0; attempt < 100 && !done; attempt++)
            {
                using (var reader = command.ExecuteReader())
                {
                    done = reader.Read() && reader.GetInt32(0) == 0;
                }

                await Task.Delay(done ? 0 : 50);
            }

            Assert.True(done, "the checkpoint stayed blocked by the server's");
        }

        // The database file is overwritten under the running server (a failing disk, another program).
        await using (var file = new FileStream(database, FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.Position = 4096;
            var noise = new byte[file.Length - 4096];
            new Random(11).NextBytes(noise);
            await file.WriteAsync(noise);
        }

        // The server holds the pages it read in its cache. A write by another connection (one header field of page 1,
        // which the noise spared) changes the write-ahead log, so the server drops that cache and reads the damage.
        using (var poke = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            poke.Open();
            using var command = poke.CreateCommand();
            command.CommandText = "PRAGMA application_id = 7;";
            command.ExecuteNonQuery();
        }

        // Until a write touches a damaged page: bounded by count, not by time, and generous for a loaded machine.
        for (var i = 0; i < 5000 && !server.HasExited; i++)
        {
            try
            {
                using (await server.PostJsonAsync("api/tasks", $$"""{ "id": "after-{{i}}", "to": ["implementation"], "instructions": "x" }""")) { }
            }
            catch (HttpRequestException)
            {
                break;
            }
        }

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), server.Output);
        Assert.Equal(1, server.ExitCode);
        Assert.Single(server.Output.Split('\n'), line => line.StartsWith("The server stopped after a storage failure: ", StringComparison.Ordinal));
        Assert.Contains("database disk image is malformed", server.Output, StringComparison.Ordinal);
        Assert.False(server.Output.Contains("   at ", StringComparison.Ordinal), "a stack trace was printed:\n" + server.Output);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
    }

    private static void AssertCleanExit(StandaloneServer server)
    {
        Assert.True(server.ExitCode == 0, $"exit {server.ExitCode}:\n{server.Output}");
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
    }

    private static async Task Submit(HttpClient client, string id, string role, ConcurrentBag<string> acknowledged)
    {
        var body = JsonSerializer.Serialize(new { id, to = new[] { role }, instructions = "stop" });
        using var response = await client.PostAsync("api/tasks", new StringContent(body, Encoding.UTF8, "application/json"));
        if (response.StatusCode == HttpStatusCode.Accepted)
        {
            acknowledged.Add(id);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 400 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition(), "the state to stop in was never reached");
    }
}
