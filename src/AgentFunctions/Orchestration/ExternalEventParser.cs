using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Core.Workflow.Events;

namespace AgentFunctions.Orchestration;

/// <summary>
/// Reads external event bodies leniently. They may come from anyone who can reach the Durable webhook
/// (<c>raiseEvent/approval</c>), so a malformed body is ignored rather than allowed to fail the orchestration.
/// </summary>
public static class ExternalEventParser
{
    /// <summary><c>{ decision: "approve"|"reject", by, note|reason, role? }</c>, or null when it decides nothing.</summary>
    public static ApprovalDecided? ParseApproval(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        ApprovalDecision decision;
        switch (Text(payload, "decision")?.ToLowerInvariant())
        {
            case "approve" or "approved":
                decision = ApprovalDecision.Approve;
                break;
            case "reject" or "rejected":
                decision = ApprovalDecision.Reject;
                break;
            default:
                return null;
        }

        var role = Text(payload, "role");
        if (role is not null && !Identifiers.IsValidRole(role))
        {
            return null;
        }

        return new ApprovalDecided(decision, Text(payload, "by"), Text(payload, "note") ?? Text(payload, "reason"), role);
    }

    /// <summary><c>{ by, reason|note }</c>; any body (or none) cancels.</summary>
    public static CancelRequested ParseCancel(JsonElement payload) =>
        payload.ValueKind == JsonValueKind.Object
            ? new CancelRequested(Text(payload, "by"), Text(payload, "reason") ?? Text(payload, "note"))
            : new CancelRequested(null, null);

    /// <summary><c>{ role, attempt, progress, message }</c>, or null when malformed.</summary>
    public static ProgressEventPayload? ParseProgress(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object || Text(payload, "role") is not { } role || !Identifiers.IsValidRole(role))
        {
            return null;
        }

        var attempt = Property(payload, "attempt") is { ValueKind: JsonValueKind.Number } a && a.TryGetInt32(out var n) ? n : 0;
        double? progress = Property(payload, "progress") is { ValueKind: JsonValueKind.Number } p && p.TryGetDouble(out var d) ? d : null;
        return new ProgressEventPayload(role, attempt, progress, Text(payload, "message"));
    }

    /// <summary>A remote role's sub-orchestration's <see cref="RemoteAttemptEvent"/>; null when it is not one.</summary>
    public static RemoteAttemptEvent? ParseRemoteAttempt(JsonElement payload)
    {
        try
        {
            return payload.ValueKind == JsonValueKind.Object
                && payload.Deserialize<RemoteAttemptEvent>(CoreJson.Options) is { Attempt: > 0 } attempt
                && Identifiers.IsValidRole(attempt.Role)
                ? attempt
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement payload, string name) =>
        Property(payload, name) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text ? text : null;

    private static JsonElement? Property(JsonElement payload, string name)
    {
        foreach (var property in payload.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }
}
