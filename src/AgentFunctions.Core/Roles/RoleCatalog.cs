namespace AgentFunctions.Core.Roles;

/// <summary>The roles this host can run, by name.</summary>
public sealed class RoleCatalog
{
    private readonly Dictionary<string, RoleDefinition> _roles;

    public RoleCatalog(IEnumerable<RoleDefinition> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        _roles = roles.ToDictionary(role => role.Name, StringComparer.Ordinal);
    }

    public IReadOnlyCollection<RoleDefinition> All => _roles.Values;

    public IEnumerable<string> Names => _roles.Keys.Order(StringComparer.Ordinal);

    public RoleDefinition? Find(string name) => _roles.GetValueOrDefault(name);

    public bool Contains(string name) => _roles.ContainsKey(name);
}
