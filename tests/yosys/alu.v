// A small 8-bit ALU with flags, and a registered wrapper.
module alu (
    input  wire [7:0] a,
    input  wire [7:0] b,
    input  wire [2:0] op,
    output reg  [7:0] y,
    output wire       zero,
    output reg        carry
);
    always @* begin
        carry = 1'b0;
        case (op)
            3'd0: {carry, y} = a + b;
            3'd1: {carry, y} = a - b;
            3'd2: y = a & b;
            3'd3: y = a | b;
            3'd4: y = a ^ b;
            3'd5: y = a << b[2:0];
            3'd6: y = a >> b[2:0];
            default: y = (a < b) ? 8'd1 : 8'd0;
        endcase
    end
    assign zero = y == 8'd0;
endmodule

module alu_reg (
    input  wire       clk,
    input  wire [7:0] a,
    input  wire [7:0] b,
    input  wire [2:0] op,
    output reg  [7:0] q,
    output reg        z
);
    wire [7:0] y;
    wire zero, carry;
    alu u (.a(a), .b(b), .op(op), .y(y), .zero(zero), .carry(carry));
    always @(posedge clk) begin
        q <= y;
        z <= zero;
    end
endmodule
