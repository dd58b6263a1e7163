using System.CommandLine;
using System.CommandLine.Invocation;
using System.Text.RegularExpressions;

namespace AgentQ.Cli;

/// <summary>
/// The one entry point of agentq, for the real tool (<c>Program</c>) and for in-process tests: parse, run,
/// and turn every failure into one line on stderr and a documented <see cref="ExitCode"/>.
/// </summary>
public static partial class CliApp
{
    /// <summary>Set to 1 to see stack traces of unexpected errors.</summary>
    public const string DebugVariable = "AGENTQ_DEBUG";

    public static Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, ICliEnvironment environment, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliRuntime(stdout, stderr, environment), cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliRuntime runtime, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(runtime);
        var stderr = runtime.Stderr;
        var root = CommandTree.Build(runtime);
        var parseResult = root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = runtime.Stdout,
            Error = stderr,
            // Failures become one line below, never a stack trace.
            EnableDefaultExceptionHandler = false,
            // Program handles SIGINT/SIGTERM itself and cancels the token: the worker needs its grace period.
            ProcessTerminationTimeout = null,
        };

        if (parseResult.Action is ParseErrorAction)
        {
            var command = parseResult.CommandResult.Command;
            if (args.Length == 0 || (command.Action is null && command.Subcommands.Count > 0 && parseResult.UnmatchedTokens.Count == 0))
            {
                // "agentq" or "agentq dlq" alone: show what can follow, as a usage error.
                await ShowHelpAsync(root, command, stderr, cancellationToken);
                return (int)ExitCode.Usage;
            }

            var path = string.Join(' ', CommandPath(command));
            stderr.WriteLine($"agentq: {UsageMessage(parseResult)} (see '{path} --help')");
            return (int)ExitCode.Usage;
        }

        try
        {
            return await parseResult.InvokeAsync(invocation, cancellationToken);
        }
        catch (CliException ex)
        {
            stderr.WriteLine("agentq: " + ex.Message);
            return (int)ex.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            stderr.WriteLine("agentq: interrupted");
            return (int)ExitCode.Error;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            stderr.WriteLine($"agentq: unexpected error: {OneLine(ex.Message)} ({ex.GetType().Name}; set {DebugVariable}=1 for details)");
            if (runtime.Environment.GetVariable(DebugVariable) is "1" or "true")
            {
                stderr.WriteLine(ex.ToString());
            }

            return (int)ExitCode.Error;
        }
    }

    private static async Task ShowHelpAsync(RootCommand root, Command command, TextWriter stderr, CancellationToken cancellationToken)
    {
        var helpArgs = CommandPath(command).Skip(1).Append("--help").ToArray();
        await root.Parse(helpArgs).InvokeAsync(new InvocationConfiguration { Output = stderr, Error = stderr, ProcessTerminationTimeout = null }, cancellationToken);
    }

    private static IEnumerable<string> CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command current; symbol = current.Parents.OfType<Command>().FirstOrDefault())
        {
            names.Add(current is RootCommand ? "agentq" : current.Name);
        }

        names.Reverse();
        return names;
    }

    /// <summary>The most telling parse error, in words rather than CLR type names.</summary>
    private static string UsageMessage(ParseResult parseResult)
    {
        // "bogus" yields "Required command was not provided" and "Unrecognized command 'bogus'": the second says more.
        var error = parseResult.Errors.FirstOrDefault(e => !e.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            ?? parseResult.Errors[0];
        return OneLine(TypeNames().Replace(error.Message, match => match.Groups[1].Value switch
        {
            "Int32" or "Int64" => "as a whole number",
            "Double" or "Decimal" => "as a number",
            "Boolean" => "as true or false",
            _ => "as a value of the right kind",
        }));
    }

    [GeneratedRegex(@"as expected type '(?:System\.Nullable`1\[)?System\.(\w+)\]?'", RegexOptions.CultureInvariant)]
    private static partial Regex TypeNames();

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
