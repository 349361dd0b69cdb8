using RControl.Files.Tests.Contracts;

namespace RControl.Files.Tests.Local;

public sealed class LocalFileOperationsTests : FileOperationsContract
{
    protected override Task<Session> CreateSessionAsync() => Task.FromResult<Session>(Rc.CreateLocalSession("here"));
}
