namespace AgentFunctions.Core.Roles;

/// <summary>How a role's attempts are carried out (<c>Roles:&lt;name&gt;:Runner</c>).</summary>
public enum RunnerKind
{
    Echo,
    Command,
    Http,
    OpenAi,
    Remote,
}
