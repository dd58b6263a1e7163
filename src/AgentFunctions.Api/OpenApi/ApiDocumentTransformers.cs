using AgentFunctions.Api.Http;
using AgentFunctions.Core.Tasks;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace AgentFunctions.Api.OpenApi;

/// <summary>
/// What the OpenAPI generator cannot see in the endpoint definitions: the document's title, the key (header
/// <c>x-functions-key</c> or query <c>code</c>) and which scope each operation needs, the query parameters handlers
/// read themselves, and the problem answers every operation may give (a missing or wrong key, a server failure).
/// </summary>
public static class ApiDocumentTransformers
{
    public const string KeyHeader = "x-functions-key";
    public const string KeyScheme = "functionKey";
    public const string KeyQueryScheme = "functionKeyQuery";

    public static void Configure(OpenApiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "AgentFunctions",
                Version = typeof(ApiDocumentTransformers).Assembly.GetName().Version?.ToString(3) ?? "1.0.0",
                Description = "A durable task queue for AI agents: submit tasks that fan out to roles, follow them, decide on approvals, "
                    + "pull attempts as a remote worker, read dead letters, health and metrics. The same API on Azure Functions and the "
                    + "Standalone server. Errors are RFC 9457 problem+json.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[KeyScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                Name = KeyHeader,
                In = ParameterLocation.Header,
                Description = "A function key (Azure Functions) or a key from Auth:Keys with the scope the operation names (Standalone server; "
                    + "a server without keys serves loopback clients only and asks for none).",
            };
            document.Components.SecuritySchemes[KeyQueryScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                Name = "code",
                In = ParameterLocation.Query,
                Description = "The same key as a query value.",
            };
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            var type = context.JsonTypeInfo.Type;
            if (type == typeof(TaskRetryOverride) && schema.Properties is { } retry)
            {
                // The spec reader takes a delay as a TimeSpan string or as seconds.
                foreach (var name in new[] { "firstDelay", "maxDelay" })
                {
                    if (retry.TryGetValue(name, out var delay) && delay is OpenApiSchema delaySchema)
                    {
                        delaySchema.Type |= JsonSchemaType.Number;
                        delaySchema.Description = "A TimeSpan string such as 00:00:02, or seconds.";
                    }
                }
            }
            else if (type == typeof(TaskSpec) && schema.Properties is { } spec && spec.TryGetValue("stages", out var stages) && stages is OpenApiSchema stagesSchema)
            {
                // A stage is a list of roles, or an object naming its roles and the capabilities they need (TaskSpecReader).
                var roleNames = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } };
                stagesSchema.Items = new OpenApiSchema
                {
                    AnyOf =
                    [
                        roleNames,
                        new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Required = new HashSet<string> { "roles" },
                            Properties = new Dictionary<string, IOpenApiSchema> { ["roles"] = roleNames, ["requires"] = roleNames },
                        },
                    ],
                };
            }
            else if (type == typeof(ProblemDetails))
            {
                // What both hosts add to RFC 9457: the request's trace id, and the fields a validation problem names.
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null };
                schema.Properties["errors"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.Array,
                    Items = new OpenApiSchema
                    {
                        Type = JsonSchemaType.Object,
                        Properties = new Dictionary<string, IOpenApiSchema>
                        {
                            ["field"] = new OpenApiSchema { Type = JsonSchemaType.String },
                            ["message"] = new OpenApiSchema { Type = JsonSchemaType.String },
                        },
                    },
                };
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            foreach (var query in metadata.OfType<QueryParameterDoc>())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = query.Name,
                    In = ParameterLocation.Query,
                    Description = query.Description,
                    Required = false,
                    Schema = new OpenApiSchema { Type = query.Type == "integer" ? JsonSchemaType.Integer : JsonSchemaType.String },
                });
            }

            operation.Responses ??= [];
            var document = context.Document;
            if (metadata.OfType<RequiredScope>().FirstOrDefault() is { } scope && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security =
                [
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyScheme, document)] = [] },
                    new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(KeyQueryScheme, document)] = [] },
                ];
                operation.Description = (operation.Description is null ? string.Empty : operation.Description + " ") + "Key scope: " + Describe(scope) + ".";
                AddProblem(operation, document, "401", "No key, or a key that is not valid.");
                AddProblem(operation, document, "403", "The key lacks the scope (or the client is not on loopback while no keys are configured).");
            }
            else
            {
                operation.Security = [];
            }

            AddProblem(operation, document, "500", "The server failed; detail names the request and the traceId under which the error is logged.");
            return Task.CompletedTask;
        });
    }

    private static string Describe(RequiredScope scope)
    {
        var scopes = scope.Scopes.ToList();
        if (scope.WorkerRoleRouteValue is not null)
        {
            scopes.Add(ApiScopes.Worker("<role>"));
        }

        if (scope.EventNameRouteValue is not null)
        {
            scopes.Add($"{ApiScopes.Approve} for {ApiRoutes.ApprovalEvent}, {ApiScopes.Cancel} for {ApiRoutes.CancelEvent}");
        }

        return string.Join(" or ", scopes.Append(ApiScopes.Admin));
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument? document, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), document) },
            },
        };
    }
}
