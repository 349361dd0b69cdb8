using PublicApiGenerator;
using RControl.Tests.Docs;

namespace RControl.Tests.Api;

/// <summary>
/// The library's public surface is exactly the checked-in <c>RControl.Actors.approved.txt</c>: any change to it — a type
/// made public by mistake, a renamed member — fails here. After a deliberate change, regenerate the file with
/// <c>RCONTROL_APPROVE_API=1 dotnet test tests/RControl.Tests --filter PublicApiTests</c> and review its diff.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void The_public_api_is_the_approved_one()
    {
        var actual = typeof(RControlSystem).Assembly.GeneratePublicApi(new ApiGeneratorOptions
        {
            // InternalsVisibleTo is not surface: a new test project may be added without an approval. The state-machine
            // attributes name compiler-generated types whose numbers move when any method of the class is added.
            ExcludeAttributes =
            [
                "System.Runtime.Versioning.TargetFrameworkAttribute", "System.Reflection.AssemblyMetadataAttribute",
                "System.Runtime.CompilerServices.InternalsVisibleToAttribute",
                "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute", "System.Runtime.CompilerServices.AsyncStateMachineAttribute",
                "System.Runtime.CompilerServices.IteratorStateMachineAttribute",
            ],
        }).ReplaceLineEndings("\n");
        var approvedPath = Path.Combine(DocSnippetTests.RepoRoot(), "tests", "RControl.Tests", "Api", "RControl.Actors.approved.txt");
        if (Environment.GetEnvironmentVariable("RCONTROL_APPROVE_API") == "1")
        {
            File.WriteAllText(approvedPath, actual);
        }

        var approved = File.Exists(approvedPath) ? File.ReadAllText(approvedPath).ReplaceLineEndings("\n") : "";
        Assert.True(approved == actual,
            $"The public API changed. If deliberate, regenerate {approvedPath} with RCONTROL_APPROVE_API=1 and review the diff.\n"
            + FirstDifference(approved, actual));
    }

    private static string FirstDifference(string approved, string actual)
    {
        var a = approved.Split('\n');
        var b = actual.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "<end>";
            var right = i < b.Length ? b[i] : "<end>";
            if (left != right)
            {
                return $"line {i + 1}: approved `{left.Trim()}`, actual `{right.Trim()}`";
            }
        }

        return "";
    }
}
