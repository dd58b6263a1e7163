using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Roles;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary><c>GET /roles</c>: the roles this host runs, by name, as <c>{ "items": [...] }</c>.</summary>
public sealed class RoleEndpoints(ApiDependencies api)
{
    public IResult List()
    {
        var items = api.Roles.All.OrderBy(role => role.Name, StringComparer.Ordinal).Select(Describe).ToList();
        return TypedResults.Json(new Page<RoleInfo>(items, null), CoreJson.Options);
    }

    public static RoleInfo Describe(RoleDefinition role)
    {
        ArgumentNullException.ThrowIfNull(role);
        return new RoleInfo
        {
            Name = role.Name,
            Runner = CoreConfiguration.RunnerName(role.Runner),
            Capabilities = role.Capabilities,
            RequiresApproval = role.RequiresApproval,
            Retry = role.Retry,
            Concurrency = role.Concurrency,
            TimeoutSeconds = (int)role.Timeout.TotalSeconds,
            LeaseSeconds = (int)role.LeaseDuration.TotalSeconds,
            MaxLeaseSeconds = (int)role.MaxLeaseDuration.TotalSeconds,
        };
    }
}
