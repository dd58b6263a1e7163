using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>What a crash leaves behind in the data directory is cleaned up at the next start.</summary>
public sealed class LeftoverTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Scratch_folders_of_command_attempts_live_under_the_data_directory_and_a_crash_leaves_none_after_the_next_start()
    {
        var data = TempPaths.NewDirectory("leftovers");
        var leftover = Path.Combine(data, "tmp", "agentq-artifacts-crashed");
        Directory.CreateDirectory(leftover);
        await File.WriteAllTextAsync(Path.Combine(leftover, "half-written.md"), "from an attempt the crash cut off");

        await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            DataDirectory = data,
            Settings = _scripts.Role("build", """printf '%s' "$AGENTQ_ARTIFACTS_DIR" """),
        });
        await server.SubmitAsync("""{ "id": "scratch-1", "to": ["build"], "instructions": "x" }""");
        var view = await server.WaitForAsync("scratch-1");

        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.False(Directory.Exists(leftover), "the scratch folder left by the crash is removed at the start");
        var used = await ReadWhenWrittenAsync(server, "api/tasks/scratch-1/artifacts/results/build.md");
        Assert.StartsWith(Path.Combine(Path.GetFullPath(data), "tmp", "agentq-artifacts-"), used.Trim(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(used.Trim()), "an attempt's scratch folder goes when the attempt ends");
    }

    [Fact]
    public async Task Command_attempt_cut_off_by_a_kill_shows_in_check_then_leaves_no_process_running_and_runs_again_once()
    {
        var data = TempPaths.NewDirectory("leftover-processes");
        var log = _scripts.PathOf("runs.log");
        var grandchildPid = _scripts.PathOf("grandchild.pid");
        var childPid = _scripts.PathOf("child.pid");

        // The first run leaves a grandchild that sleeps and blocks; the re-run notes whether that grandchild still runs
        // (a zombie nobody reaped yet does not count).
        var settings = _scripts.Role("agent", $$"""
            echo "$AGENTQ_ATTEMPT" >> "{{log}}"
            if [ -f "{{grandchildPid}}" ]; then
              state=$(cut -d' ' -f3 "/proc/$(cat "{{grandchildPid}}")/stat" 2>/dev/null)
              if [ -n "$state" ] && [ "$state" != Z ]; then echo "grandchild still running" >> "{{log}}"; fi
              echo done
              exit 0
            fi
            echo $$ > "{{childPid}}"
            sleep 300 &
            echo $! > "{{grandchildPid}}"
            wait
            """);
        var start = new StandaloneServerOptions { DataDirectory = data, Port = LoopbackPorts.Free(), Settings = settings };
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            await first.SubmitAsync("""{ "id": "cut-off", "to": ["agent"], "instructions": "x" }""");
            var grandchild = await ProcessProbe.ReadPidAsync(grandchildPid, TimeSpan.FromSeconds(20));
            var child = await ProcessProbe.ReadPidAsync(childPid, TimeSpan.FromSeconds(20));
            Assert.Single(Directory.GetFiles(Path.Combine(data, "processes")));
            await first.KillAsync();

            // The program itself dies with the server (its parent-death signal), not only at the next start.
            Assert.True(await ProcessProbe.WaitUntilGoneAsync(child, TimeSpan.FromSeconds(10)), "the command's program outlived the killed server");
            Assert.True(ProcessProbe.IsAlive(grandchild), "the grandchild is expected to outlive the server until the next start");

            // check names what the crash left running, and leaves it to the next start.
            var (exit, report) = await ServerTool.RunAsync("check", data);
            Assert.True(exit == 0, report);
            Assert.Contains($"leftover: 1 process-group records of command attempts under {Path.Combine(Path.GetFullPath(data), "processes")}, 1 still running (killed at the next start)", report, StringComparison.Ordinal);
            Assert.True(ProcessProbe.IsAlive(grandchild), "check must not kill anything");

            await using var second = await StandaloneServer.StartAsync(start);
            var view = await second.WaitForAsync("cut-off");

            Assert.Equal(AgentTaskStatus.Completed, view.State);
            Assert.False(ProcessProbe.IsAlive(grandchild), "the grandchild the crash left running was not killed at the restart");
            Assert.Equal(["1", "1"], File.ReadAllLines(log));
            Assert.Empty(Directory.GetFiles(Path.Combine(data, "processes")));
        }
    }

    /// <summary>Files are written just behind the task's state: poll briefly until this one is there.</summary>
    private static async Task<string> ReadWhenWrittenAsync(StandaloneServer server, string path)
    {
        for (var i = 0; ; i++)
        {
            using var response = await server.Client.GetAsync(path);
            if (response.IsSuccessStatusCode || i == 200)
            {
                Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
                return await response.Content.ReadAsStringAsync();
            }

            await Task.Delay(50);
        }
    }
}
