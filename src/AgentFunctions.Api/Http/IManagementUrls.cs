using AgentFunctions.Core.Contracts;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>Builds the management payload of a task for the request that asks.</summary>
public interface IManagementUrls
{
    ManagementPayload Create(string taskId, HttpRequest request);
}
