using System.Collections.Concurrent;
using System.Diagnostics;
using AgentFunctions.Core.Runners;
using Microsoft.Extensions.Logging.Abstractions;
using AgentFunctions.Testing;

namespace AgentFunctions.Core.Tests.Runners;

/// <summary>
/// Isolated programs (the command runner's): a process group of their own that ends with the attempt, recorded while
/// it runs, and leftover groups a crashed host recorded are killed only when they are still the same processes.
/// </summary>
public sealed class ProcessGroupTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly RecordingLedger _ledger = new();
    private readonly AgentProcess _process;

    public ProcessGroupTests()
    {
        Assert.True(ProcessGroups.Supported, "process groups need Linux with util-linux's setsid (Debian: the essential package util-linux)");
        _process = new AgentProcess(TimeProvider.System, NullLogger<AgentProcess>.Instance, ProcessIsolation.Isolated with { Ledger = _ledger });
    }

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Isolated_program_leads_its_own_session_and_group_and_is_recorded_while_it_runs()
    {
        var run = await _process.RunAsync(
            // It stays a moment: a program already ended and reaped when its start is looked up has nothing left to record.
            new ProcessRunRequest { Command = ["sh", "-c", "cat /proc/$$/stat; sleep 1"], Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        var fields = run.StandardOutput[(run.StandardOutput.LastIndexOf(')') + 2)..].Split(' ');
        var pid = int.Parse(run.StandardOutput.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[2]);
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]);
        var opened = Assert.Single(_ledger.Opened);
        Assert.Equal(pid, opened.ProcessGroupId);
        Assert.Equal(ProcessGroups.BootId, opened.BootId);
        Assert.Equal([opened], _ledger.Closed);
    }

    [Fact]
    public async Task Cancel_kills_a_grandchild_that_left_the_process_tree()
    {
        var sleepPid = _directory.File("sleep.pid");
        using var cancellation = new CancellationTokenSource();

        // The subshell exits at once: its sleep is handed to init, out of the tree a tree walk finds, but still in the group.
        var running = _process.RunAsync(
            new ProcessRunRequest { Command = ["sh", "-c", "(sleep 60 & echo $! > \"$1\") ; sleep 60", "sh", sleepPid], Timeout = TimeSpan.FromSeconds(30) },
            cancellation.Token);
        var pid = await ProcessProbe.ReadPidAsync(sleepPid, TimeSpan.FromSeconds(10));
        await cancellation.CancelAsync();
        var run = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.True(run.Canceled);
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(pid, TimeSpan.FromSeconds(5)), "the grandchild outside the tree survived the cancel");
    }

    [Fact]
    public async Task What_a_program_leaves_running_in_its_group_ends_with_it()
    {
        var daemonPid = _directory.File("daemon.pid");

        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["sh", "-c", "sleep 60 & echo $! > \"$1\"; echo started", "sh", daemonPid], Timeout = TimeSpan.FromSeconds(30) },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal("started\n", run.StandardOutput);
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(await ProcessProbe.ReadPidAsync(daemonPid, TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(5)), "the background process outlived the attempt");
    }

    [Fact]
    public async Task Program_outlives_the_thread_that_asked_for_it()
    {
        // Linux sends the parent-death signal when the forking thread ends: a short-lived thread must not take the program with it.
        Task<ProcessRunResult>? running = null;
        var caller = new Thread(() => running = _process.RunAsync(
            new ProcessRunRequest { Command = ["sh", "-c", "sleep 1; echo still here"], Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None));
        caller.Start();
        caller.Join();

        var run = await running!.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True(run.Succeeded, $"exit {run.ExitCode}: {run.StandardError}");
        Assert.Equal("still here\n", run.StandardOutput);
    }

    [Fact]
    public async Task Missing_or_not_executable_program_is_still_a_start_error()
    {
        var missing = await _process.RunAsync(new ProcessRunRequest { Command = ["agentq-no-such-program-4711"] }, CancellationToken.None);
        var notExecutable = _directory.File("plain.txt");
        await File.WriteAllTextAsync(notExecutable, "not a program");
        var refused = await _process.RunAsync(new ProcessRunRequest { Command = [notExecutable] }, CancellationToken.None);

        Assert.False(missing.Started);
        Assert.StartsWith("cannot start 'agentq-no-such-program-4711'", missing.StartError, StringComparison.Ordinal);
        Assert.False(refused.Started);
        Assert.Contains("Permission denied", refused.StartError, StringComparison.Ordinal);
        Assert.Empty(_ledger.Opened);
    }

    [Fact]
    public async Task Program_found_on_path_runs_in_its_group_with_arguments_intact()
    {
        var run = await _process.RunAsync(
            new ProcessRunRequest { Command = ["printf", "%s|%s", "-- a b", "{input}"], Input = "--pdeathsig x", Timeout = TimeSpan.FromSeconds(20) },
            CancellationToken.None);

        Assert.True(run.Succeeded, run.StandardError);
        Assert.Equal("-- a b|--pdeathsig x", run.StandardOutput);
    }

    [Fact]
    public async Task Leftover_group_whose_leader_died_is_killed_by_its_record()
    {
        // A group as a crash leaves it: recorded, its leader gone (the parent-death signal), a member still running.
        var memberPid = _directory.File("member.pid");
        using var leader = Process.Start(new ProcessStartInfo("setsid") { ArgumentList = { "sh", "-c", "sleep 60 & echo $! > \"$1\"; sleep 60", "sh", memberPid } })!;
        var member = await ProcessProbe.ReadPidAsync(memberPid, TimeSpan.FromSeconds(10));
        var record = ProcessGroups.RecordOf(leader.Id)!;
        leader.Kill();
        await leader.WaitForExitAsync();
        Assert.True(ProcessProbe.IsAlive(member));

        Assert.True(ProcessGroups.KillLeftover(record));
        Assert.True(await ProcessProbe.WaitUntilGoneAsync(member, TimeSpan.FromSeconds(5)), "the leftover group's member survived");
    }

    [Fact]
    public async Task Record_of_another_boot_or_of_a_reused_pid_kills_nothing()
    {
        using var leader = Process.Start(new ProcessStartInfo("setsid") { ArgumentList = { "sleep", "60" } })!;
        try
        {
            var record = ProcessGroups.RecordOf(leader.Id)!;

            Assert.False(ProcessGroups.KillLeftover(record with { BootId = "another-boot" }));
            Assert.False(ProcessGroups.KillLeftover(record with { StartTicks = record.StartTicks + 1 }));
            await Task.Delay(100);
            Assert.True(ProcessProbe.IsAlive(leader.Id), "a process that only shares the pid was killed");
        }
        finally
        {
            leader.Kill();
        }
    }

    private sealed class RecordingLedger : IProcessGroupLedger
    {
        public ConcurrentQueue<ProcessGroupRecord> Opened { get; } = new();

        public ConcurrentQueue<ProcessGroupRecord> Closed { get; } = new();

        void IProcessGroupLedger.Opened(ProcessGroupRecord group) => Opened.Enqueue(group);

        void IProcessGroupLedger.Closed(ProcessGroupRecord group) => Closed.Enqueue(group);
    }
}
