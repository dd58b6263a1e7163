using System.Runtime.Versioning;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using AgentFunctions.Testing;
using AgentQ.Commands;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>
/// The service templates of deploy/ and <c>agentq worker install</c>: every systemd unit passes
/// <c>systemd-analyze verify</c> (with its program path pointed at a real executable, which verify checks), the launchd
/// agent is a plist with the keys launchd needs, and a worker started with exactly the unit's command line works a
/// task end to end against a real Standalone server.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class ServiceTemplateTests : IDisposable
{
    private readonly TestEnvironment _environment = new();

    private static string Deploy(params string[] parts) => Path.Combine([Repository.Root(), "deploy", .. parts]);

    /// <summary>agentq as this machine runs it: the dotnet host and the tool's own agentq.dll.</summary>
    private static string Agentq => $"{WorkerInstallCommand.ThisAgentq()[0]} {ToolProcess.ToolPath()}";

    public void Dispose() => _environment.Dispose();

    [Fact]
    public async Task The_worker_template_passes_systemd_analyze_with_restart_stop_timeout_and_hardening()
    {
        var template = File.ReadAllText(Deploy("systemd", "agentq-worker@.service"));
        var unit = Path.Combine(_environment.CurrentDirectory, "agentq-worker@.service");
        File.WriteAllText(unit, template.Replace("/usr/local/bin/agentq", Agentq, StringComparison.Ordinal));

        var (exitCode, output) = await SystemdAnalyze.VerifyAsync(unit);

        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify: exit {exitCode}: {output}");
        var settings = Settings(template);
        Assert.Equal("on-failure", settings["Restart"]);
        Assert.Equal("mixed", settings["KillMode"]);
        Assert.True(int.Parse(settings["TimeoutStopSec"], System.Globalization.CultureInfo.InvariantCulture) > 30 + 10, "the stop timeout must outlast the worker's 30 s grace and 10 s of reports");
        Assert.Contains("--grace 30", settings["ExecStart"], StringComparison.Ordinal);
        Assert.Contains("--role %i", settings["ExecStart"], StringComparison.Ordinal);
        foreach (var (key, value) in new[] { ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"), ("PrivateDevices", "yes"), ("RestrictSUIDSGID", "yes") })
        {
            Assert.Equal(value, settings[key]);
        }

        // What stays writable under ProtectSystem=strict: its state (home, working directory) and its log directory.
        Assert.Equal("agentq/%i", settings["StateDirectory"]);
        Assert.Equal("agentq", settings["LogsDirectory"]);
        Assert.Equal("/var/lib/agentq/%i", settings["WorkingDirectory"]);
        Assert.False(settings.ContainsKey("MemoryDenyWriteExecute"), ".NET compiles code at run time: MemoryDenyWriteExecute would stop it");
    }

    [Fact]
    public async Task The_standalone_server_unit_passes_systemd_analyze_with_its_data_directory_and_urls()
    {
        var template = File.ReadAllText(Deploy("systemd", "agentfunctions.service"));
        var server = $"{WorkerInstallCommand.ThisAgentq()[0]} {Path.Combine(AppContext.BaseDirectory, "AgentFunctions.Standalone.dll")}";
        var unit = Path.Combine(_environment.CurrentDirectory, "agentfunctions.service");
        File.WriteAllText(unit, template.Replace("/opt/agentfunctions/AgentFunctions.Standalone", server, StringComparison.Ordinal));

        var (exitCode, output) = await SystemdAnalyze.VerifyAsync(unit);

        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify: exit {exitCode}: {output}");
        var environment = Environment(template);
        Assert.Equal("http://127.0.0.1:7071", environment["ASPNETCORE_URLS"]);
        Assert.Equal("/var/lib/agentfunctions", environment["Standalone__DataDirectory"]);
        var settings = Settings(template);
        Assert.Equal("agentfunctions", settings["StateDirectory"]); // = the data directory, writable under ProtectSystem=strict
        Assert.Equal(("on-failure", "strict", "yes"), (settings["Restart"], settings["ProtectSystem"], settings["NoNewPrivileges"]));
    }

    [Fact]
    public async Task Worker_install_prints_a_unit_for_this_machine_that_systemd_analyze_accepts()
    {
        var config = Path.Combine(_environment.CurrentDirectory, "review.toml");
        File.WriteAllText(config, File.ReadAllText(Deploy("agentq.worker.example.toml")));

        var printed = await CliRunner.RunAsync(_environment, "worker", "install", "--role", "review", "--config", config, "--user", "root", "--format", "systemd", "--print");

        Assert.True(printed.ExitCode == 0, printed.ToString());
        var unit = Path.Combine(_environment.CurrentDirectory, "agentq-worker@review.service");
        File.WriteAllText(unit, printed.Stdout);
        var (exitCode, output) = await SystemdAnalyze.VerifyAsync(unit);
        Assert.True(exitCode == 0 && output.Length == 0, $"systemd-analyze verify: exit {exitCode}: {output}{System.Environment.NewLine}{printed.Stdout}");
        var settings = Settings(printed.Stdout);
        Assert.Equal($"{string.Join(' ', WorkerInstallCommand.ThisAgentq())} worker run --role review --config {config} --grace 30", settings["ExecStart"]);
        Assert.Equal(("root", "/var/lib/agentq/review"), (settings["User"], settings["WorkingDirectory"]));
        Assert.Equal(WorkerInstallCommand.DotnetRoot(), Environment(printed.Stdout)["DOTNET_ROOT"]);
        Assert.DoesNotContain("%i", printed.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_install_writes_the_unit_where_it_is_told_and_refuses_a_config_the_worker_would_refuse()
    {
        var units = Path.Combine(_environment.CurrentDirectory, "units");
        var written = await CliRunner.RunAsync(_environment, "worker", "install", "--role", "docs", "--format", "systemd", "--unit-dir", units);

        Assert.True(written.ExitCode == 0, written.ToString());
        Assert.Contains("/etc/agentq/docs.toml does not exist yet", written.Stderr, StringComparison.Ordinal);
        Assert.Contains("systemctl daemon-reload && systemctl enable --now agentq-worker@docs", written.Stdout, StringComparison.Ordinal);
        Assert.Contains("--config /etc/agentq/docs.toml", File.ReadAllText(Path.Combine(units, "agentq-worker@docs.service")), StringComparison.Ordinal);

        var bad = Path.Combine(_environment.CurrentDirectory, "bad.toml");
        File.WriteAllText(bad, "[worker]\nrole = 7\n");
        var refused = await CliRunner.RunAsync(_environment, "worker", "install", "--role", "docs", "--config", bad, "--print");
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal($"agentq: {bad}:2: role must be a non-empty string (got a whole number)", refused.ErrorLine);
    }

    [Fact]
    public async Task Worker_install_with_json_prints_one_document_naming_the_unit_its_path_and_format()
    {
        var units = Path.Combine(_environment.CurrentDirectory, "units");
        var written = await CliRunner.RunAsync(_environment, "worker", "install", "--role", "docs", "--format", "systemd", "--unit-dir", units, "--json");

        Assert.True(written.ExitCode == 0, written.ToString());
        using (var document = System.Text.Json.JsonDocument.Parse(written.Stdout))
        {
            var root = document.RootElement;
            Assert.Equal("agentq-worker@docs.service", root.GetProperty("unit").GetString());
            Assert.Equal(Path.Combine(units, "agentq-worker@docs.service"), root.GetProperty("path").GetString());
            Assert.Equal("systemd", root.GetProperty("format").GetString());
            Assert.Equal("systemctl daemon-reload && systemctl enable --now agentq-worker@docs", root.GetProperty("start").GetString());
        }

        Assert.True(File.Exists(Path.Combine(units, "agentq-worker@docs.service")));

        var printed = await CliRunner.RunAsync(_environment, "worker", "install", "--role", "docs", "--format", "launchd", "--print", "--json");
        Assert.True(printed.ExitCode == 0, printed.ToString());
        using (var document = System.Text.Json.JsonDocument.Parse(printed.Stdout))
        {
            var root = document.RootElement;
            Assert.Equal("launchd", root.GetProperty("format").GetString());
            Assert.Equal(System.Text.Json.JsonValueKind.Null, root.GetProperty("path").ValueKind);
            Assert.Contains("<plist", root.GetProperty("text").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_launchd_agent_is_a_plist_with_the_keys_launchd_needs_as_shipped_and_as_installed()
    {
        var shipped = ReadPlist(File.ReadAllText(Deploy("launchd", "com.agentq.worker.plist")));
        var printed = await CliRunner.RunAsync(_environment, "worker", "install", "--role", "review", "--format", "launchd", "--print");
        Assert.True(printed.ExitCode == 0, printed.ToString());
        var installed = ReadPlist(printed.Stdout);

        foreach (var plist in new[] { shipped, installed })
        {
            Assert.Equal(JsonValueKind.True, plist["RunAtLoad"].ValueKind);
            Assert.False(plist["KeepAlive"].GetProperty("SuccessfulExit").GetBoolean()); // restarted when it fails
            Assert.True(plist["ExitTimeOut"].GetInt32() > 30 + 10);
            Assert.Equal("Background", plist["ProcessType"].GetString());
            foreach (var key in new[] { "WorkingDirectory", "StandardOutPath", "StandardErrorPath" })
            {
                Assert.StartsWith("/", plist[key].GetString(), StringComparison.Ordinal);
            }
        }

        Assert.Equal("com.agentq.worker.review", installed["Label"].GetString());
        Assert.Equal([.. WorkerInstallCommand.ThisAgentq(), "worker", "run", "--role", "review", "--config", "/usr/local/etc/agentq/review.toml", "--grace", "30"],
            installed["ProgramArguments"].EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(WorkerInstallCommand.DotnetRoot(), installed["EnvironmentVariables"].GetProperty("DOTNET_ROOT").GetString());
    }

    [Fact]
    public async Task A_worker_started_with_exactly_the_units_command_line_works_a_task_end_to_end()
    {
        await using var server = await StandaloneServer.StartAsync(new Dictionary<string, string> { ["Roles:review:Runner"] = "remote" });
        var script = Path.Combine(_environment.CurrentDirectory, "review.sh");
        File.WriteAllText(script, "#!/bin/sh\necho \"# Reviewed\"\necho \"prompt had $(printf '%s' \"$1\" | wc -c) bytes\"\n");
        var config = Path.Combine(_environment.CurrentDirectory, "review.toml");
        File.WriteAllText(config, $"""
            command = 'sh {script} {"{input}"}'

            [worker]
            role = "review"
            url = "{server.Url}"
            wait = 1

            [log]
            dir = "logs"
            """);

        // The unit as `agentq worker install` writes it, from the real tool.
        using var install = ToolProcess.Start(new Dictionary<string, string> { ["HOME"] = _environment.HomeDirectory }, "worker", "install", "--role", "review", "--config", config, "--format", "systemd", "--print");
        var unit = await install.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(unit.ExitCode == 0, unit.ToString());
        var execStart = Settings(unit.Stdout)["ExecStart"].Split(' ');
        var environment = Environment(unit.Stdout);
        environment["HOME"] = _environment.HomeDirectory; // the unit's home is /var/lib/agentq/review, which systemd would create

        using var worker = ToolProcess.StartCommand(execStart, environment, _environment.CurrentDirectory);
        await worker.WaitForStderrAsync("pulling role 'review'");
        var submitted = await CliRunner.RunAsync(_environment, "submit", "--url", server.Url, "--id", "unit-1", "--to", "review", "--instructions", "Review the change.", "--wait", "--timeout", "60", "--json");

        Assert.True(submitted.ExitCode == 0, $"{submitted}{System.Environment.NewLine}worker: {worker.Stderr}");
        var result = await CliRunner.RunAsync(_environment, "result", "unit-1", "--url", server.Url, "--role", "review");
        Assert.Contains("# Reviewed", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("review unit-1 attempt 1", File.ReadAllText(Path.Combine(_environment.CurrentDirectory, "logs", "agentq-worker-review.log")), StringComparison.Ordinal);

        // systemctl stop: SIGTERM to agentq (KillMode=mixed); it stops within the unit's stop timeout, cleanly.
        worker.Signal("TERM");
        var stopped = await worker.WaitAsync(TimeSpan.FromSeconds(int.Parse(Settings(unit.Stdout)["TimeoutStopSec"], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(stopped.ExitCode == 0, stopped.ToString());
    }

    /// <summary>The last value of each <c>Key=value</c> line (Environment= lines: see <see cref="Environment"/>).</summary>
    private static Dictionary<string, string> Settings(string unit) =>
        unit.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#') && !line.StartsWith('[') && line.Contains('=', StringComparison.Ordinal))
            .Select(line => (Key: line[..line.IndexOf('=', StringComparison.Ordinal)], Value: line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..]))
            .GroupBy(setting => setting.Key)
            .ToDictionary(group => group.Key, group => group.Last().Value, StringComparer.Ordinal);

    /// <summary>The variables of the unit's Environment= lines.</summary>
    private static Dictionary<string, string> Environment(string unit) =>
        unit.Split('\n')
            .Where(line => line.StartsWith("Environment=", StringComparison.Ordinal))
            .Select(line => line["Environment=".Length..].Trim())
            .ToDictionary(assignment => assignment[..assignment.IndexOf('=', StringComparison.Ordinal)], assignment => assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 1)..], StringComparer.Ordinal);

    /// <summary>A plist dict as JSON-like values, read without fetching its DTD; anything that is not a plist fails here.</summary>
    private static Dictionary<string, JsonElement> ReadPlist(string text)
    {
        using var reader = XmlReader.Create(new StringReader(text), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
        var document = XDocument.Load(reader);
        Assert.Equal("plist", document.Root!.Name.LocalName);
        Assert.Equal("1.0", document.Root.Attribute("version")?.Value);
        var json = ToJson(Assert.Single(document.Root.Elements()));
        using var parsed = JsonDocument.Parse(json);
        return parsed.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    private static string ToJson(XElement element) => element.Name.LocalName switch
    {
        "dict" => "{" + string.Join(',', element.Elements("key").Select(key => JsonSerializer.Serialize(key.Value) + ":" + ToJson(key.ElementsAfterSelf().First()))) + "}",
        "array" => "[" + string.Join(',', element.Elements().Select(ToJson)) + "]",
        "string" => JsonSerializer.Serialize(element.Value),
        "integer" => long.Parse(element.Value, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture),
        "true" => "true",
        "false" => "false",
        var other => throw new Xunit.Sdk.XunitException($"<{other}> is not a plist value"),
    };
}
