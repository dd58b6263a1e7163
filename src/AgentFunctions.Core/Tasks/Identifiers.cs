using System.Text.RegularExpressions;

namespace AgentFunctions.Core.Tasks;

/// <summary>The naming rules for task ids, task types (docs/api.md, "Tasks") and role names (docs/configuration.md, "Roles").</summary>
public static partial class Identifiers
{
    public const string TaskIdPattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$";
    public const string RolePattern = "^[a-z][a-z0-9-]{0,39}$";
    public const string TaskTypePattern = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$";

    /// <summary>The longest task id <see cref="TaskIdPattern"/> allows.</summary>
    public const int MaxTaskIdLength = 100;

    /// <summary>The longest role name <see cref="RolePattern"/> allows.</summary>
    public const int MaxRoleLength = 40;

    public static bool IsValidTaskId(string? id) => id is not null && TaskIdRegex().IsMatch(id);

    public static bool IsValidRole(string? role) => role is not null && RoleRegex().IsMatch(role);

    /// <summary>Capability names (a task's <c>requires</c>, a worker's and a role's capabilities) follow the role name rule.</summary>
    public const string CapabilityPattern = RolePattern;

    /// <summary>The most capability names a task or a stage may require.</summary>
    public const int MaxRequirements = 8;

    /// <summary>The most capabilities a worker or a role may declare.</summary>
    public const int MaxCapabilities = 32;

    public static bool IsValidCapability(string? name) => IsValidRole(name);

    /// <summary>
    /// What a worker says it can do, as every reader of it takes it: the names once each, in order, and the index of
    /// the first name that is not a capability name (-1 when all are). Each reader words its own refusal, and checks
    /// the count of <c>Names</c> against <see cref="MaxCapabilities"/>.
    /// </summary>
    public static (List<string> Names, int InvalidAt) DistinctCapabilities(IReadOnlyList<string?> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var distinct = new List<string>();
        for (var i = 0; i < names.Count; i++)
        {
            if (!IsValidCapability(names[i]))
            {
                return (distinct, i);
            }

            if (!distinct.Contains(names[i]!, StringComparer.Ordinal))
            {
                distinct.Add(names[i]!);
            }
        }

        return (distinct, -1);
    }

    public static bool IsValidTaskType(string? type) => type is not null && TaskTypeRegex().IsMatch(type);

    // \z rather than $: a trailing newline must not pass.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TaskIdRegex();

    [GeneratedRegex(@"^[a-z][a-z0-9-]{0,39}\z", RegexOptions.CultureInvariant)]
    private static partial Regex RoleRegex();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TaskTypeRegex();
}
