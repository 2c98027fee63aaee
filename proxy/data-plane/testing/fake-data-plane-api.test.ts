import { runDataPlaneApiContract } from './data-plane-api.contract.js';
import { FakeDataPlaneApi } from './fake-data-plane-api.js';

runDataPlaneApiContract('fake', async () => ({ api: new FakeDataPlaneApi(), close: async () => undefined }));
