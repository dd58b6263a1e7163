using System.CommandLine;
using System.Globalization;
using AgentFunctions.Core.Runners;
using AgentQ.Cli;
using AgentQ.Worker;

namespace AgentQ.Commands;

/// <summary><c>agentq worker run --role ROLE [...] -- PROGRAM ARGS...</c>: the pull worker for a <c>remote</c> role.</summary>
public static class WorkerCommand
{
    public const int MaxWaitSeconds = 60;

    /// <summary>The longest lease the API accepts (a day).</summary>
    public const int MaxLeaseSeconds = 24 * 3600;

    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var command = new Command("worker", "Work on a remote role's attempts from this machine");
        command.Subcommands.Add(Run(globals, runtime));
        return command;
    }

    private static Command Run(GlobalOptions globals, CliRuntime runtime)
    {
        var role = new Option<string>("--role") { Description = "The remote role to work for", HelpName = "ROLE", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Attempts run at once", HelpName = "N", DefaultValueFactory = _ => 1 };
        var lease = new Option<int?>("--lease") { Description = "Ask for a shorter lease than the role's LeaseSeconds (its cap and default); heartbeats go at a third of the granted lease", HelpName = "SECONDS" };
        var wait = new Option<int>("--wait") { Description = "Long-poll wait of each lease request, 0-60", HelpName = "SECONDS", DefaultValueFactory = _ => 20 };
        var permanent = new Option<string?>("--permanent-exit-codes") { Description = "Exit codes that mean 'do not retry' (comma-separated, e.g. 3,4)", HelpName = "CODES" };
        var timeout = new Option<double?>("--timeout") { Description = "Kill the program after this many seconds (a transient failure)", HelpName = "SECONDS" };
        var grace = new Option<double?>("--grace") { Description = "On SIGINT/SIGTERM, let running programs finish this long, then stop them and release their attempts uncounted (default 30); reports still unanswered 10 s later are given up", HelpName = "SECONDS" };
        var workerId = new Option<string?>("--worker-id") { Description = "Name shown in metrics (default: host-pid)", HelpName = "ID" };
        var capability = new Option<string[]>("--capability")
        {
            Description = "What this worker can do (repeat for several): it is handed attempts whose task requires only these (e.g. --capability database)",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = false,
        };
        var program = new Argument<string[]>("PROGRAM")
        {
            Description = "The program and its arguments, after '--'; {input} in an argument is replaced by the prompt, which is also on stdin",
            // Zero here so a missing program gets agentq's own message with an example, not the parser's.
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("run", "Lease attempts of a remote role and run a program for each (exit 0 completes, non-zero fails). "
            + "The program is checked before the first lease (a path must exist and be executable; a bare name is looked up on PATH). "
            + "With --json, stdout carries one JSON object per event: started, attempt, notice, stopping, stopped")
        {
            role, concurrency, lease, wait, permanent, timeout, grace, workerId, capability, program,
        };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            var argv = RequireProgram(context.Get(program));
            var settings = new WorkerSettings
            {
                Role = CommonArguments.OptionalRole(context.Get(role)) ?? throw CliException.Usage("--role is required"),
                Command = argv,
                WorkerId = context.Get(workerId) is { Length: > 0 } id ? id : DefaultWorkerId(context.Environment),
                Concurrency = context.Get(concurrency) is var n and >= 1 and <= 256 ? n : throw CliException.Usage("--concurrency must be between 1 and 256"),
                LeaseSeconds = context.Get(lease) is { } l ? (l is >= 1 and <= MaxLeaseSeconds ? l : throw CliException.Usage($"--lease must be between 1 and {MaxLeaseSeconds} seconds")) : null,
                WaitSeconds = context.Get(wait) is var w and >= 0 and <= MaxWaitSeconds ? w : throw CliException.Usage($"--wait must be between 0 and {MaxWaitSeconds}"),
                PermanentExitCodes = ParseExitCodes(context.Get(permanent)),
                Timeout = CommonArguments.Seconds(context.Get(timeout), "--timeout"),
                Grace = CommonArguments.Seconds(context.Get(grace), "--grace", allowZero: true) ?? runtime.DefaultWorkerGrace,
                ReportSlack = runtime.WorkerReportSlack,
                Capabilities = ParseCapabilities(context.Get(capability)),
            };

            // Before the first lease: a program that cannot run would otherwise fail every attempt the worker leases.
            // The real process PATH and directory, since that is where the program is started from.
            settings = settings with { Executable = ProgramResolver.Resolve(argv[0], Environment.GetEnvironmentVariable("PATH"), Directory.GetCurrentDirectory()) };
            var log = new WorkerLog(context.Output, settings.WorkerId, settings.Role, context.Environment.Time);
            using var worker = new PullWorker(context.Client, settings, new AgentProcess(), context.Environment.Time, log);
            await worker.RunAsync(cancellationToken);
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>Capability names as the server checks them (the role name rule), each once; anything else is a usage error.</summary>
    public static IReadOnlyList<string> ParseCapabilities(IEnumerable<string>? names)
    {
        var capabilities = new List<string>();
        foreach (var name in names ?? [])
        {
            if (!AgentFunctions.Core.Tasks.Identifiers.IsValidCapability(name))
            {
                throw CliException.Usage($"--capability '{name}' is not a capability name (lowercase letters, digits and '-', starting with a letter)");
            }

            if (!capabilities.Contains(name, StringComparer.Ordinal))
            {
                capabilities.Add(name);
            }
        }

        return capabilities.Count <= AgentFunctions.Core.Tasks.Identifiers.MaxCapabilities
            ? capabilities
            : throw CliException.Usage($"at most {AgentFunctions.Core.Tasks.Identifiers.MaxCapabilities} --capability options");
    }

    /// <summary>"3,4" → {3, 4}; anything else is a usage error.</summary>
    public static IReadOnlySet<int> ParseExitCodes(string? text)
    {
        var codes = new HashSet<int>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return codes;
        }

        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) || code is < 1 or > 255)
            {
                throw CliException.Usage($"--permanent-exit-codes: '{part}' is not an exit code between 1 and 255");
            }

            codes.Add(code);
        }

        return codes;
    }

    private static IReadOnlyList<string> RequireProgram(string[]? argv)
    {
        if (argv is not { Length: > 0 } || string.IsNullOrWhiteSpace(argv[0]))
        {
            throw CliException.Usage("no program to run: put it after '--', e.g. agentq worker run --role review -- ./review.sh {input}");
        }

        return argv;
    }

    private static string DefaultWorkerId(ICliEnvironment environment) =>
        string.Create(CultureInfo.InvariantCulture, $"{environment.MachineName}-{Environment.ProcessId}");
}
