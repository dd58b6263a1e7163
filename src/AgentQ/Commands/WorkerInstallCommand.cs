using System.CommandLine;
using System.Runtime.InteropServices;
using AgentQ.Cli;
using AgentQ.Service;
using AgentQ.Worker;

namespace AgentQ.Commands;

/// <summary>
/// <c>agentq worker install --role R [--config FILE] [--print]</c>: the service definition that keeps a worker for R
/// running on this machine (systemd unit on Linux, launchd agent on macOS), filled in from the templates of deploy/:
/// written where the service manager looks for it, or printed.
/// </summary>
public static class WorkerInstallCommand
{
    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var role = new Option<string>("--role") { Description = "The remote role the service works for", HelpName = "ROLE", Required = true };
        var config = new Option<string?>("--config") { Description = "The worker config the service runs with (default /etc/agentq/ROLE.toml; launchd: /usr/local/etc/agentq/ROLE.toml)", HelpName = "FILE" };
        var print = new Option<bool>("--print") { Description = "Print the filled-in unit instead of writing it" };
        var format = new Option<string?>("--format") { Description = "systemd or launchd (default: this machine's)", HelpName = "KIND" };
        var user = new Option<string?>("--user") { Description = "The account a systemd service runs as (default: $SUDO_USER, else agentq as root, else you)", HelpName = "NAME" };
        var unitDirectory = new Option<string?>("--unit-dir") { Description = "Write the unit here instead of /etc/systemd/system (launchd: ~/Library/LaunchAgents, or /Library/LaunchDaemons as root)", HelpName = "DIR" };
        var command = new Command("install", "Write (or --print) a service unit that keeps a worker for ROLE running: systemd agentq-worker@ROLE.service, or a launchd agent")
        {
            role, config, print, format, user, unitDirectory,
        };
        CommandActions.Set(command, globals, runtime, (context, _) =>
        {
            var environment = context.Environment;
            var roleName = CommonArguments.OptionalRole(context.Get(role)) ?? throw CliException.Usage("--role is required");
            var kind = context.Get(format) switch
            {
                null => OperatingSystem.IsMacOS() ? ServiceFormat.Launchd : ServiceFormat.Systemd,
                "systemd" => ServiceFormat.Systemd,
                "launchd" => ServiceFormat.Launchd,
                var other => throw CliException.Usage($"--format must be systemd or launchd (got '{other}')"),
            };
            var isRoot = !OperatingSystem.IsWindows() && Environment.UserName == "root";
            var configPath = Path.GetFullPath(context.Get(config) ?? (kind == ServiceFormat.Systemd ? $"/etc/agentq/{roleName}.toml" : $"/usr/local/etc/agentq/{roleName}.toml"), environment.CurrentDirectory);
            if (File.Exists(configPath))
            {
                // A config the worker would refuse is better found now than in the service's journal.
                WorkerConfigReader.Read(configPath);
            }
            else
            {
                context.Output.Note($"{configPath} does not exist yet: create it from deploy/agentq.worker.example.toml before starting the service");
            }

            var request = new ServiceRequest(
                kind,
                roleName,
                configPath,
                ThisAgentq(),
                DotnetRoot(),
                context.Get(user) ?? (environment.GetVariable("SUDO_USER") is { Length: > 0 } sudoUser ? sudoUser : isRoot ? "agentq" : Environment.UserName),
                isRoot,
                environment.HomeDirectory);
            var unit = ServiceTemplates.Fill(request);
            var formatName = kind == ServiceFormat.Systemd ? "systemd" : "launchd";
            if (context.Get(print))
            {
                if (context.Output.Json)
                {
                    context.Output.WriteJson(new ServiceInstallReport(unit.FileName, null, formatName, unit.Text, null));
                    return Task.FromResult(ExitCode.Ok);
                }

                context.Output.Out.Write(unit.Text.EndsWith('\n') ? unit.Text : unit.Text + "\n");
                return Task.FromResult(ExitCode.Ok);
            }

            var directory = Path.GetFullPath(context.Get(unitDirectory) ?? unit.DefaultDirectory, environment.CurrentDirectory);
            var path = Path.Combine(directory, unit.FileName);
            try
            {
                Directory.CreateDirectory(directory);
                var temporary = path + ".agentq-partial";
                File.WriteAllText(temporary, unit.Text);
                File.Move(temporary, path, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException(ExitCode.Error, $"cannot write {path}: {ex.Message}" + (isRoot ? string.Empty : " (run it with sudo, or --print it, or --unit-dir DIR)"));
            }

            var start = kind == ServiceFormat.Systemd
                ? $"systemctl daemon-reload && systemctl enable --now agentq-worker@{roleName}"
                : $"launchctl load -w {path}";
            if (context.Output.Json)
            {
                context.Output.WriteJson(new ServiceInstallReport(unit.FileName, path, formatName, null, start));
                return Task.FromResult(ExitCode.Ok);
            }

            context.Output.Line($"wrote {path}");
            context.Output.Line($"start it: {start}");
            return Task.FromResult(ExitCode.Ok);
        });
        return command;
    }

    /// <summary>How a service starts this very agentq: its apphost, or the dotnet host with agentq.dll.</summary>
    public static IReadOnlyList<string> ThisAgentq()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "agentq")
        {
            return [process];
        }

        var dll = typeof(WorkerInstallCommand).Assembly.Location;
        var host = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? process
            : DotnetRoot() is { } root ? Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet") : "dotnet";
        return [host, dll];
    }

    /// <summary>The .NET installation this process runs on (three levels above the runtime's own directory).</summary>
    public static string? DotnetRoot()
    {
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar));
        return runtime.Parent?.Parent?.Parent?.FullName;
    }
}
