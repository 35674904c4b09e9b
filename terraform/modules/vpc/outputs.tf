output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr_block" {
  description = "IPv4 CIDR block of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "azs" {
  description = "Availability zones the VPC spans."
  value       = local.azs
}

output "public_subnet_ids" {
  description = "IDs of the public subnets (one per zone), tagged for internet-facing load balancers."
  value       = [for az in local.azs : aws_subnet.public[az].id]
}

output "private_subnet_ids" {
  description = "IDs of the private subnets (one per zone), for the EKS nodes and internal load balancers."
  value       = [for az in local.azs : aws_subnet.private[az].id]
}

output "nat_gateway_public_ips" {
  description = "Egress IPs of the NAT gateways (for allow-lists on the far side)."
  value       = [for eip in aws_eip.nat : eip.public_ip]
}

output "interface_endpoint_ids" {
  description = "IDs of the interface VPC endpoints, by service."
  value       = { for k, e in aws_vpc_endpoint.interface : k => e.id }
}

output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint."
  value       = aws_vpc_endpoint.s3.id
}
