using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using AgentFunctions.Core.Roles;
using AgentFunctions.Core.Runners;
using AgentQ.Cli;
using AgentQ.Worker;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentQ.Commands;

/// <summary>
/// <c>agentq worker run [--config FILE] --role ROLE [...] -- PROGRAM ARGS...</c>: the pull worker for a <c>remote</c> role,
/// from flags, a TOML config file, or both (flags win); and <c>agentq worker install</c>.
/// </summary>
public static class WorkerCommand
{
    public const int MaxWaitSeconds = 60;

    public static Command Create(GlobalOptions globals, CliRuntime runtime)
    {
        var command = new Command("worker", "Work on a remote role's attempts from this machine");
        command.Subcommands.Add(Run(globals, runtime));
        command.Subcommands.Add(WorkerInstallCommand.Create(globals, runtime));
        return command;
    }

    private static Command Run(GlobalOptions globals, CliRuntime runtime)
    {
        var config = new Option<string?>("--config") { Description = "Worker config (TOML; see deploy/agentq.worker.example.toml). Without it: ./agentq.toml, ~/.agentq/worker.toml, then /etc/agentq/worker.toml, if one exists. Flags override the file", HelpName = "FILE" };
        var role = new Option<string?>("--role") { Description = "The remote role to work for (or [worker] role)", HelpName = "ROLE" };
        var concurrency = new Option<int>("--concurrency") { Description = "Attempts run at once", HelpName = "N", DefaultValueFactory = _ => 1 };
        var lease = new Option<string?>("--lease") { Description = "Lease length to ask for: 90, 45s, 30m, 4h, 1h30m, up to the role's MaxLeaseSeconds (default: the role's LeaseSeconds); heartbeats go at a third of the granted lease", HelpName = "DURATION" };
        var wait = new Option<int>("--wait") { Description = "Long-poll wait of each lease request, 0-60", HelpName = "SECONDS", DefaultValueFactory = _ => 20 };
        var permanent = new Option<string?>("--permanent-exit-codes") { Description = "Exit codes that mean 'do not retry' (comma-separated, e.g. 3,4)", HelpName = "CODES" };
        var timeout = new Option<double?>("--timeout") { Description = "Kill the program after this many seconds (a transient failure)", HelpName = "SECONDS" };
        var grace = new Option<double?>("--grace") { Description = "On SIGINT/SIGTERM, let running programs finish this long, then stop them and release their attempts uncounted (default 30); reports still unanswered 10 s later are given up", HelpName = "SECONDS" };
        var workerId = new Option<string?>("--worker-id") { Description = "Name shown in metrics (default: host-pid)", HelpName = "ID" };
        var capability = new Option<string[]>("--capability")
        {
            Description = "What this worker can do (repeat for several; replaces capabilities in the config file): it is handed attempts whose task requires only these (e.g. --capability database)",
            HelpName = "NAME",
            AllowMultipleArgumentsPerToken = false,
        };
        var program = new Argument<string[]>("PROGRAM")
        {
            Description = "The program and its arguments, after '--' (or command in the config file); {input} in an argument is replaced by the prompt, which is also on stdin",
            // Zero here so a missing program gets agentq's own message with an example, not the parser's.
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("run", "Lease attempts of a remote role and run a program for each (exit 0 completes, non-zero fails). "
            + "The program is checked before the first lease (a path must exist and be executable; a bare name is looked up on PATH). "
            + "With --json, stdout carries one JSON object per event: started, attempt, notice, stopping, stopped")
        {
            config, role, concurrency, lease, wait, permanent, timeout, grace, workerId, capability, program,
        };
        CommandActions.Set(command, globals, runtime, async (context, cancellationToken) =>
        {
            RefuseOptionsBeforeDoubleDash(context.ParseResult, program);
            var file = WorkerConfigReader.Find(context.Get(config), context.Environment);
            context.UseConnectionDefaults(file?.Url, file?.Profile);
            var argv = context.Get(program) is { Length: > 0 } given ? given : file?.Command?.ToArray();
            argv = RequireProgram(argv, file);
            var settings = new WorkerSettings
            {
                Role = CommonArguments.OptionalRole(context.Get(role)) ?? file?.Role
                    ?? throw CliException.Usage(file is null ? "--role is required" : $"--role is required (or role in [worker] of {file.Path})"),
                Command = argv,
                WorkerId = context.Get(workerId) is { Length: > 0 } id ? id : file?.WorkerId ?? DefaultWorkerId(context.Environment),
                Concurrency = (context.Given(concurrency) ? context.Get(concurrency) : file?.Concurrency ?? 1) is var n and >= 1 and <= 256 ? n : throw CliException.Usage("--concurrency must be between 1 and 256"),
                LeaseSeconds = TakeCommand.LeaseSeconds(context.Get(lease)) ?? file?.LeaseSeconds,
                WaitSeconds = (context.Given(wait) ? context.Get(wait) : file?.WaitSeconds ?? 20) is var w and >= 0 and <= MaxWaitSeconds ? w : throw CliException.Usage($"--wait must be between 0 and {MaxWaitSeconds}"),
                PermanentExitCodes = context.Get(permanent) is { } codes ? ParseExitCodes(codes) : file?.PermanentExitCodes ?? new HashSet<int>(),
                Timeout = CommonArguments.Seconds(context.Get(timeout), "--timeout") ?? file?.Timeout,
                Grace = CommonArguments.Seconds(context.Get(grace), "--grace", allowZero: true) ?? file?.Grace ?? runtime.DefaultWorkerGrace,
                ReportSlack = runtime.WorkerReportSlack,
                Capabilities = context.Get(capability) is { Length: > 0 } named ? ParseCapabilities(named) : file?.Capabilities ?? [],
            };

            // Before the first lease: a program that cannot run would otherwise fail every attempt the worker leases.
            // The real process PATH and directory, since that is where the program is started from.
            settings = settings with { Executable = ProgramResolver.Resolve(argv[0], Environment.GetEnvironmentVariable("PATH"), Directory.GetCurrentDirectory()) };
            using var logFile = file?.Log is { } logSettings ? OpenLog(logSettings, settings.Role) : null;
            var log = new WorkerLog(context.Output, settings.WorkerId, settings.Role, context.Environment.Time, logFile);
            // In a group of its own and dying with the worker: a worker killed outright leaves no agent working on an
            // attempt whose lease will run out and be handed to another worker.
            var programs = new AgentProcess(context.Environment.Time, NullLogger<AgentProcess>.Instance, ProcessIsolation.Isolated);
            using var worker = new PullWorker(context.Client, settings, programs, context.Environment.Time, log);
            await worker.RunAsync(cancellationToken);
            return ExitCode.Ok;
        });
        return command;
    }

    /// <summary>Capability names as the server checks them (the role name rule), each once; anything else is a usage error.</summary>
    public static IReadOnlyList<string> ParseCapabilities(IEnumerable<string>? names)
    {
        var given = (names ?? []).ToList();
        var (capabilities, invalidAt) = AgentFunctions.Core.Tasks.Identifiers.DistinctCapabilities(given);
        if (invalidAt >= 0)
        {
            throw CliException.Usage($"--capability '{given[invalidAt]}' is not a capability name (lowercase letters, digits and '-', starting with a letter)");
        }

        return capabilities.Count <= AgentFunctions.Core.Tasks.Identifiers.MaxCapabilities
            ? capabilities
            : throw CliException.Usage($"at most {AgentFunctions.Core.Tasks.Identifiers.MaxCapabilities} --capability options");
    }

    /// <summary>The worker's log file in the [log] directory: <c>agentq-worker-&lt;role&gt;.log</c>.</summary>
    private static RotatingLogFile OpenLog(WorkerLogSettings settings, string role)
    {
        try
        {
            return new RotatingLogFile(settings, $"agentq-worker-{role}.log");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCode.Error, $"cannot open the log file in {settings.Directory}: {ex.Message}");
        }
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

    /// <summary>
    /// The parser hands a word it does not know to PROGRAM; before '--' a word starting with '-' is an unknown option
    /// (a typo such as --bogus), not a program to run.
    /// </summary>
    private static void RefuseOptionsBeforeDoubleDash(ParseResult parseResult, Argument<string[]> program)
    {
        var tokens = parseResult.Tokens;
        var doubleDash = tokens.TakeWhile(t => t.Type != TokenType.DoubleDash).Count();
        var given = parseResult.GetResult(program)?.Tokens ?? [];

        // Without '--' only the first word can be a mistyped option: the words after it are the program's own.
        var beforeDashes = doubleDash == tokens.Count ? given.Take(1) : given.Where(g => tokens.Take(doubleDash).Any(t => ReferenceEquals(t, g)));
        if (beforeDashes.FirstOrDefault(t => t.Value.StartsWith('-')) is { } unknown)
        {
            throw CliException.Usage($"unknown option '{unknown.Value}' for worker run (see agentq worker run --help; the program goes after '--')");
        }
    }

    private static string[] RequireProgram(string[]? argv, WorkerConfig? file)
    {
        if (argv is not { Length: > 0 } || string.IsNullOrWhiteSpace(argv[0]))
        {
            throw CliException.Usage(file is null
                ? "no program to run: put it after '--', e.g. agentq worker run --role review -- ./review.sh {input}"
                : $"no program to run: put it after '--' or set command in {file.Path}, e.g. command = [\"./review.sh\", \"{{input}}\"]");
        }

        return argv;
    }

    private static string DefaultWorkerId(ICliEnvironment environment) =>
        string.Create(CultureInfo.InvariantCulture, $"{environment.MachineName}-{Environment.ProcessId}");
}
