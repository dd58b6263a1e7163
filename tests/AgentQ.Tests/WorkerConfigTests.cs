using System.Text.Json;
using AgentQ.Cli;
using AgentQ.Tests.Infrastructure;
using AgentQ.Worker;

namespace AgentQ.Tests;

/// <summary><c>agentq worker run --config FILE</c>: the TOML worker config, its lookup order, its errors, and flags over it.</summary>
public sealed class WorkerConfigTests : IAsyncLifetime
{
    private readonly TestEnvironment _environment = new();
    private WorkerStub _stub = null!;

    public async Task InitializeAsync() => _stub = await WorkerStub.StartAsync();

    public async Task DisposeAsync()
    {
        await _stub.DisposeAsync();
        _environment.Dispose();
    }

    [Fact]
    public void The_example_config_in_the_repository_reads_as_documented()
    {
        var config = WorkerConfigReader.Read(Path.Combine(Repository.Root(), "deploy", "agentq.worker.example.toml"));

        Assert.Equal(("review", 1, 600, "http://127.0.0.1:7071"), (config.Role, config.Concurrency, config.LeaseSeconds, config.Url));
        Assert.Equal(["agent-cli", "chat", "--oneshot", "{input}"], config.Command);
        Assert.Equal(new WorkerLogSettings("/var/log/agentq", 10 * 1024 * 1024, 5), config.Log);
        Assert.Null(config.Profile);
    }

    [Fact]
    public void Every_key_of_worker_and_log_is_read_with_durations_as_seconds_or_text()
    {
        var path = Write("full.toml", """
            [worker]
            role = "docs"
            concurrency = 3
            lease = 7200
            profile = "prod"
            wait = 5
            timeout = "30m"
            grace = "1m30s"
            worker_id = "docs-1"
            permanent_exit_codes = [3, 4]
            command = 'agent-cli chat --system "You write docs." {input}'

            [log]
            dir = "logs"
            max_bytes = 1024
            backup_count = 2
            """);

        var config = WorkerConfigReader.Read(path);

        Assert.Equal(("docs", 3, 7200, "prod", 5, "docs-1"), (config.Role, config.Concurrency, config.LeaseSeconds, config.Profile, config.WaitSeconds, config.WorkerId));
        Assert.Equal((TimeSpan.FromMinutes(30), TimeSpan.FromSeconds(90)), (config.Timeout, config.Grace));
        Assert.Equal(new HashSet<int> { 3, 4 }, config.PermanentExitCodes);
        Assert.Equal(["agent-cli", "chat", "--system", "You write docs.", "{input}"], config.Command);
        Assert.Equal(new WorkerLogSettings(Path.Combine(_environment.CurrentDirectory, "logs"), 1024, 2), config.Log); // relative to the file
    }

    [Theory]
    [InlineData("agent-cli chat --oneshot {input}", new[] { "agent-cli", "chat", "--oneshot", "{input}" })]
    [InlineData("sh -c 'echo \"$1\"' agentq {input}", new[] { "sh", "-c", "echo \"$1\"", "agentq", "{input}" })]
    [InlineData("run \"a b\" c\\ d \"say \\\"hi\\\"\" ''", new[] { "run", "a b", "c d", "say \"hi\"", "" })]
    [InlineData("  tool\t--flag=\"{input}\"  ", new[] { "tool", "--flag={input}" })]
    public void A_command_string_is_split_like_a_shell_would(string command, string[] expected)
    {
        Assert.Equal(expected, CommandLineSplitter.Split(command));
    }

    [Theory]
    [InlineData("[worker]\nrole = \"review\"\ncolour = \"blue\"\n", ":3: unknown key 'colour' in [worker] (known: role, concurrency,")]
    [InlineData("[worker]\nconcurrency = \"two\"\n", ":2: concurrency must be a whole number (got \"two\")")]
    [InlineData("[worker]\nlease = true\n", ":2: lease must be seconds or a duration such as \"90s\", \"30m\", \"4h\" (got true/false)")]
    [InlineData("command = [\"agent\", 3]\n", ":1: command must hold strings only (got a whole number)")]
    [InlineData("command = 'agent \"unclosed'\n", ":1: command: the command has an unclosed \" quote")]
    [InlineData("[worker]\nrole = \"Review!\"\n", ":2: role 'Review!' is not a valid role name")]
    [InlineData("\n[logs]\ndir = \"x\"\n", ":2: unknown table [logs] (a worker config has [worker] and [log])")]
    [InlineData("[log]\nmax_bytes = -1\ndir = \"x\"\n", ":2: max_bytes must be between 0 and")]
    [InlineData("role = \"review\"\n", ":1: unknown key 'role' at the top level (it takes only command; the rest goes in [worker] or [log])")]
    [InlineData("[worker]\nrole = \"a\"\nrole = \"b\"\n", ":3:")]
    [InlineData("[worker\nrole = 1\n", ":1: not valid TOML:")]
    public async Task A_bad_config_stops_the_worker_at_start_naming_the_file_the_line_and_the_key(string toml, string expected)
    {
        var path = Write("bad.toml", toml);

        var result = await CliRunner.RunAsync(_environment, "worker", "run", "--config", path, "--url", _stub.Url);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"agentq: {path}{expected}", result.ErrorLine, StringComparison.Ordinal);
        Assert.Empty(_stub.Leases);
    }

    [Fact]
    public async Task A_missing_config_file_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(_environment, "worker", "run", "--config", "nowhere.toml", "--role", "review", "--", "cat");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("agentq: --config nowhere.toml: no such file", result.ErrorLine);
    }

    [Fact]
    public void Without_config_the_current_directory_then_home_then_etc_is_looked_up()
    {
        Assert.Null(WorkerConfigReader.Find(null, _environment));

        var system = Write(Path.Combine(_environment.SystemConfigDirectory, "worker.toml"), "[worker]\nrole = \"from-etc\"\n");
        Assert.Equal(("from-etc", system), (WorkerConfigReader.Find(null, _environment)!.Role, WorkerConfigReader.Find(null, _environment)!.Path));

        Write(Path.Combine(_environment.HomeDirectory, ".agentq", "worker.toml"), "[worker]\nrole = \"from-home\"\n");
        Assert.Equal("from-home", WorkerConfigReader.Find(null, _environment)!.Role);

        Write("agentq.toml", "[worker]\nrole = \"from-here\"\n");
        Assert.Equal("from-here", WorkerConfigReader.Find(null, _environment)!.Role);
    }

    [Fact]
    public async Task The_file_gives_role_url_lease_wait_and_command_and_flags_override_it()
    {
        var path = Write("worker.toml", $"""
            command = ["cat"]

            [worker]
            role = "review"
            url = "{_stub.Url}"
            lease = "10m"
            wait = 3
            worker_id = "from-file"
            """);

        var fromFile = await RunUntilLeasedAsync(["--config", path]);
        var lease = JsonDocument.Parse(_stub.Leases.First().Body).RootElement;
        Assert.True(fromFile.ExitCode == 0, fromFile.ToString());
        Assert.Equal("/api/workers/review/lease", _stub.Leases.First().Path);
        Assert.Equal((600, 3, "from-file"), (lease.GetProperty("leaseSeconds").GetInt32(), lease.GetProperty("waitSeconds").GetInt32(), lease.GetProperty("workerId").GetString()));

        _stub.Server.Requests.Clear();
        var overridden = await RunUntilLeasedAsync(["--config", path, "--lease", "45", "--wait", "1", "--worker-id", "from-flag", "--role", "docs"]);
        lease = JsonDocument.Parse(_stub.Leases.First().Body).RootElement;
        Assert.True(overridden.ExitCode == 0, overridden.ToString());
        Assert.Equal("/api/workers/docs/lease", _stub.Leases.First().Path);
        Assert.Equal((45, 1, "from-flag"), (lease.GetProperty("leaseSeconds").GetInt32(), lease.GetProperty("waitSeconds").GetInt32(), lease.GetProperty("workerId").GetString()));
    }

    [Fact]
    public async Task The_log_directory_gets_the_workers_events_rotated_past_max_bytes()
    {
        var path = Write("worker.toml", $"""
            command = ["cat"]

            [worker]
            role = "review"
            url = "{_stub.Url}"
            wait = 0

            [log]
            dir = "logs"
            max_bytes = 300
            backup_count = 2
            """);
        for (var i = 0; i < 6; i++)
        {
            _stub.Grants.Enqueue(WorkerStub.Grant(leaseId: $"lease-{i}", taskId: $"t-{i}", prompt: new string('x', 40)));
        }

        var result = await RunUntilAsync(["--config", path], () => _stub.Reports.Count() >= 6);

        Assert.True(result.ExitCode == 0, result.ToString());
        var logs = Path.Combine(_environment.CurrentDirectory, "logs");
        var current = Path.Combine(logs, "agentq-worker-review.log");
        Assert.True(File.Exists(current + ".1") && File.Exists(current + ".2"), string.Join(", ", Directory.GetFiles(logs)));
        Assert.False(File.Exists(current + ".3")); // backup_count = 2
        Assert.All(Directory.GetFiles(logs), file => Assert.True(new FileInfo(file).Length <= 300, $"{file} is {new FileInfo(file).Length} bytes"));
        var lines = Directory.GetFiles(logs).SelectMany(File.ReadAllLines).ToList();
        Assert.All(lines, line => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (INFO|WARNING|ERROR) ", line));
        Assert.Contains(lines, line => line.Contains("INFO ", StringComparison.Ordinal) && line.Contains("review t-5 attempt 1", StringComparison.Ordinal));
        Assert.EndsWith("stopped", File.ReadAllLines(current)[^1], StringComparison.Ordinal);
    }

    private Task<CliResult> RunUntilLeasedAsync(string[] args) => RunUntilAsync(args, () => _stub.Leases.Any());

    private async Task<CliResult> RunUntilAsync(string[] args, Func<bool> done)
    {
        using var shutdown = new CancellationTokenSource();
        var run = CliRunner.RunAsync(_environment, shutdown.Token, ["worker", "run", .. args]);
        await WorkerStub.EventuallyAsync(() => done() || run.IsCompleted);
        await shutdown.CancelAsync();
        return await run.WaitAsync(TimeSpan.FromSeconds(20));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_environment.CurrentDirectory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }
}
