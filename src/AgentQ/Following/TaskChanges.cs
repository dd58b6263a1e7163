using AgentFunctions.Core.Status;
using AgentQ.Output;

namespace AgentQ.Following;

/// <summary>For redirected human output: one line per change of the task or of a role, nothing when nothing changed.</summary>
public sealed class TaskChanges
{
    private readonly Dictionary<string, string> _roles = new(StringComparer.Ordinal);
    private string? _task;

    public IReadOnlyList<string> Next(TaskView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        var lines = new List<string>();
        var clock = Fmt.Clock(now);
        var task = Fmt.Of(view.State);
        if (task != _task)
        {
            _task = task;
            lines.Add($"{clock}  {view.Id}  {task}");
        }

        foreach (var role in view.Roles)
        {
            var line = $"{role.Role}  {Fmt.Of(role.State)}  {TaskViewText.Attempt(role)}  {TaskViewText.Detail(role)}".TrimEnd();
            if (!_roles.TryGetValue(role.Role, out var previous) || previous != line)
            {
                _roles[role.Role] = line;
                lines.Add($"{clock}  {line}");
            }
        }

        return lines;
    }
}
