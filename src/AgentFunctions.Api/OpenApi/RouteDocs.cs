using AgentFunctions.Core.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace AgentFunctions.Api.OpenApi;

/// <summary>How the route maps describe their operations for the OpenAPI document.</summary>
public static class RouteDocs
{
    public const string Json = "application/json";

    /// <summary>The problem+json answers an operation may give (RFC 9457, with <c>detail</c> and, for validation, <c>errors</c>).</summary>
    public static RouteHandlerBuilder Problems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var status in statuses)
        {
            builder.ProducesProblem(status);
        }

        return builder;
    }

    /// <summary>A query parameter the handler reads.</summary>
    public static RouteHandlerBuilder Query(this RouteHandlerBuilder builder, string name, string description, string type = "string") =>
        builder.WithMetadata(new QueryParameterDoc(name, description, type));

    /// <summary>A JSON request body of type <typeparamref name="T"/>; <paramref name="optional"/> when it may be left out.</summary>
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder builder, bool optional = false)
        where T : notnull => builder.WithMetadata(new RequestBodyDoc(typeof(T), optional));

    /// <summary>Names and summarises the operation.</summary>
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder builder, string operationId, string summary) =>
        builder.WithName(operationId).WithSummary(summary);

    /// <summary>The contract's JSON dialect (camelCase, snake_case enum values), for the generator's schemas.</summary>
    internal static void UseContractJson(HttpJsonOptions options) => CoreJson.Configure(options.SerializerOptions);
}
