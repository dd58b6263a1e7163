using AgentFunctions.Core.Contracts;
using AgentFunctions.Core.Status;
using Microsoft.AspNetCore.Http;

namespace AgentFunctions.Api.Http;

/// <summary>Management URLs on the request's own origin, in the shapes the Durable Functions HTTP API uses.</summary>
public sealed class OriginManagementUrls : IManagementUrls
{
    public ManagementPayload Create(string taskId, HttpRequest request)
    {
        var origin = RequestOrigin.Of(request);
        var links = TaskViewProjector.LinksFor(taskId, origin);
        var instance = links.StatusQuery;
        return new ManagementPayload
        {
            Id = taskId,
            StatusQueryGetUri = instance,
            SendEventPostUri = instance + "/raiseEvent/{eventName}",
            TerminatePostUri = instance + "/terminate?reason={text}",
            PurgeHistoryDeleteUri = instance,
            TaskGetUri = links.Self,
            ResultGetUri = links.Result,
            ApprovePostUri = links.Approve,
            RejectPostUri = links.Reject,
            CancelPostUri = links.Cancel,
        };
    }
}
