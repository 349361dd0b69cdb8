using RControl.Files.Tests.Support;
using RControl.TestSupport;

namespace RControl.Files.Tests.Contracts;

/// <summary>Per test: an RControl system, a work dir any user can write in, and sessions made by the subclass.</summary>
public abstract class SessionTestBase : IAsyncLifetime
{
    private readonly List<Session> _sessions = new();

    protected RControlSystem Rc { get; } = RControlSystem.Create();

    protected TempDir Work { get; } = TestTree.OpenTempDir();

    /// <summary>A path in the work dir.</summary>
    protected string P(string relative) => Path.Combine(Work.Path, relative);

    protected Session Track(Session session)
    {
        _sessions.Add(session);
        return session;
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var session in _sessions)
        {
            await session.CloseAsync();
        }

        await Rc.DisposeAsync();
        Work.Dispose();
    }
}
