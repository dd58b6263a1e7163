using System.Security.Cryptography;
using System.Text;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Hosting;

/// <summary>
/// Which work queue a remote attempt waits on: one per role, priority and set of requirements, so that a lease can
/// serve the highest priority first and never receive a message its worker cannot take. Normal priority without
/// requirements is the role's own <c>work-&lt;role&gt;</c> queue; any other route is
/// <c>work&lt;priority digit&gt;-&lt;hash of the route&gt;-&lt;role&gt;</c>, with its role, priority and requirements in
/// the queue's metadata so that a lease can find it.
/// </summary>
public sealed record WorkRoute(string Role, TaskPriority Priority, IReadOnlyList<string> Requires)
{
    public const string RoleMetadata = "role";
    public const string PriorityMetadata = "priority";
    public const string RequiresMetadata = "requires";

    public static WorkRoute Default(string role) => new(role, TaskPriority.Normal, []);

    public bool IsDefault => Priority == TaskPriority.Normal && Requires.Count == 0;

    public string QueueName
    {
        get
        {
            if (IsDefault)
            {
                return StorageNames.WorkQueue(Role);
            }

            var key = $"{Role}\n{(int)Priority}\n{string.Join(',', Requires)}";
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..10];
            return $"work{(int)Priority}-{hash}-{Role}";
        }
    }

    public IDictionary<string, string> Metadata() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [RoleMetadata] = Role,
        [PriorityMetadata] = ((int)Priority).ToString(System.Globalization.CultureInfo.InvariantCulture),
        [RequiresMetadata] = string.Join(',', Requires),
    };

    /// <summary>The route a work queue's metadata describes; null for a queue that is not a routed work queue.</summary>
    public static WorkRoute? FromMetadata(IDictionary<string, string>? metadata)
    {
        if (metadata is null
            || !metadata.TryGetValue(RoleMetadata, out var role) || !Identifiers.IsValidRole(role)
            || !metadata.TryGetValue(PriorityMetadata, out var priorityText)
            || !int.TryParse(priorityText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var priority)
            || !Enum.IsDefined((TaskPriority)priority))
        {
            return null;
        }

        var requires = metadata.TryGetValue(RequiresMetadata, out var list) && list.Length > 0
            ? list.Split(',').Where(Identifiers.IsValidCapability).Order(StringComparer.Ordinal).ToList()
            : [];
        return new WorkRoute(role, (TaskPriority)priority, requires);
    }

    public bool Equals(WorkRoute? other) => other is not null && QueueName == other.QueueName;

    public override int GetHashCode() => QueueName.GetHashCode(StringComparison.Ordinal);
}
