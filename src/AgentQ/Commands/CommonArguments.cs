using System.CommandLine;
using AgentFunctions.Core.Tasks;
using AgentQ.Cli;

namespace AgentQ.Commands;

/// <summary>Arguments and checks several commands share.</summary>
public static class CommonArguments
{
    public static Argument<string> TaskId(string description = "Task id") => new("ID") { Description = description };

    /// <summary>A task id the server could never accept is a usage error, not a request.</summary>
    public static string RequireTaskId(string? id)
    {
        if (!Identifiers.IsValidTaskId(id))
        {
            throw CliException.Usage($"'{id}' is not a valid task id ({Identifiers.TaskIdPattern})");
        }

        return id!;
    }

    public static string? OptionalRole(string? role, string flag = "--role")
    {
        if (role is not null && !Identifiers.IsValidRole(role))
        {
            throw CliException.Usage($"{flag} '{role}' is not a valid role name ({Identifiers.RolePattern})");
        }

        return role;
    }

    /// <summary>--timeout/--interval style seconds as a span; null stays null.</summary>
    public static TimeSpan? Seconds(double? seconds, string flag, bool allowZero = false)
    {
        if (seconds is not { } value)
        {
            return null;
        }

        if (double.IsNaN(value) || value < 0 || (!allowZero && value == 0) || value > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            throw CliException.Usage($"{flag} must be a positive number of seconds");
        }

        return TimeSpan.FromSeconds(value);
    }
}
