export { ZRegisterMsgSchema as RegisterMsgSchema } from '../../gen/register/register_pb.js';
