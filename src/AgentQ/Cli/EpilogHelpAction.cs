using System.CommandLine;
using System.CommandLine.Invocation;

namespace AgentQ.Cli;

/// <summary>The standard help, followed by the exit codes and connection notes when the root command's help is shown.</summary>
public sealed class EpilogHelpAction(SynchronousCommandLineAction standard, RootCommand root) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        var code = standard.Invoke(parseResult);
        if (parseResult.CommandResult.Command == root)
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine(ExitCodes.Describe());
            output.WriteLine();
            output.WriteLine(CommandTree.ConnectionHelp);
        }

        return code;
    }
}
